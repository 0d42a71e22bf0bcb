#!/usr/bin/python3
"""kernel_client.py -- drive `luaml --kernel` with Jupyter's own client
(jupyter_client) and check every message type it answers; prints TAP.
Run by spec/shell/kernel.sh, which installs the kernelspec in a temporary
JUPYTER_PATH first.

One kernel serves the checks (jupyter start-up is slow); the restart check
makes a second one.  Besides the client's own signature check on every
message it receives, a raw DEALER socket sends unsigned, badly signed and
malformed messages, which must be dropped (and logged) with the kernel alive.
"""
import hashlib
import hmac
import json
import os
import queue
import sys
import tempfile
import time
import uuid

import zmq
from jupyter_client.manager import KernelManager

TIMEOUT = 20
results = []


T0 = time.time()


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))
    if os.environ.get("KERNEL_TIMES"):
        print(f"# {time.time() - T0:5.2f} s  {name}", file=sys.stderr)


def tap():
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"#   {line}")


def start(log):
    km = KernelManager(kernel_name="luaml")
    km.start_kernel(stderr=log)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


def run(kc, code, stdin_hook=None, allow_stdin=False, timeout=TIMEOUT):
    """execute code; returns the reply's content and the iopub messages"""
    msgs = []
    kw = {}
    if stdin_hook:
        kw["stdin_hook"] = stdin_hook
    reply = kc.execute_interactive(code, output_hook=msgs.append, timeout=timeout,
                                   allow_stdin=allow_stdin, **kw)
    return reply["content"], msgs


def drain(kc):
    """forget the iopub messages received so far"""
    try:
        while True:
            kc.get_iopub_msg(timeout=0.3)
    except queue.Empty:
        pass


def wait_started(kc, msg_id):
    """wait until the cell msg_id has printed (so it is running)"""
    t0 = time.time()
    while time.time() - t0 < TIMEOUT:
        try:
            m = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
            return


def of_type(msgs, t):
    return [m for m in msgs if m["msg_type"] == t]


def main():
    logf = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    km, kc = start(logf)
    try:
        checks(km, kc, logf)
    except Exception as e:  # a check that could not finish fails, with why
        import traceback
        check("the checks ran to the end", False, traceback.format_exc())
    finally:
        try:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        except Exception:
            pass
    tap()
    os.unlink(logf.name)
    return 0


def checks(km, kc, logf):
    # kernel_info
    info = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
    check("kernel_info: luaml, protocol 5.3, Lua",
          info["implementation"] == "luaml" and info["protocol_version"] == "5.3"
          and info["language_info"]["name"] == "lua"
          and info["language_info"]["file_extension"] == ".lua", info)

    # execute: the message sequence, streams, a matrix as text and HTML
    reply, msgs = run(kc, "local A = ml.matrix{{1, 2}, {3, 4}}\nprint('hello', 42)\n"
                          "io.write('a', 1, ' ', 2.5, '\\n')\nA * 10")
    types = [m["msg_type"] for m in msgs]
    check("execute: busy, execute_input, streams, execute_result, idle in order",
          types == ["status", "execute_input", "stream", "stream", "execute_result", "status"]
          and msgs[0]["content"]["execution_state"] == "busy"
          and msgs[-1]["content"]["execution_state"] == "idle"
          and reply["status"] == "ok", types)
    streams = "".join(m["content"]["text"] for m in of_type(msgs, "stream"))
    check("print and io.write stream to stdout", streams == "hello\t42\na1 2.5\n", repr(streams))
    res = of_type(msgs, "execute_result")
    data = res[0]["content"]["data"] if res else {}
    check("a matrix result: text/plain as tostring, an HTML table",
          data.get("text/plain") == "matrix 2x2\n 10 20\n 30 40"
          and "<table" in data.get("text/html", "")
          and data["text/html"].count("<tr>") == 2
          and "<td>40</td>" in data["text/html"], data)
    check("execution_count counts cells",
          res and res[0]["content"]["execution_count"] == reply["execution_count"]
          and reply["execution_count"] >= 1, reply)

    # state persists: top-level locals, functions, globals
    reply, msgs = run(kc, "local function double(x) return 2 * x end\nB = A:sum()")
    reply, msgs = run(kc, "double(B) + A:get(2, 2)")
    res = of_type(msgs, "execute_result")
    check("top-level locals and globals persist between cells",
          res and res[0]["content"]["data"]["text/plain"] == "24.0", msgs)
    reply, msgs = run(kc, "A:sum();")
    check("a trailing ';' silences the result", not of_type(msgs, "execute_result"), msgs)

    # a large matrix is elided like its text form, in both forms
    reply, msgs = run(kc, "ml.arange(1, 2000):reshape(40, 50)")
    data = of_type(msgs, "execute_result")[0]["content"]["data"]
    check("a large matrix: text and HTML elided with ...",
          "..." in data["text/plain"] and data["text/html"].count("<tr>") == 7
          and "<td>...</td>" in data["text/html"], data)

    # errors: message and the user's traceback
    reply, msgs = run(kc, "local function inner()\n  error('deliberate')\nend\ninner()")
    errs = of_type(msgs, "error")
    tb = "\n".join(errs[0]["content"]["traceback"]) if errs else ""
    check("error: reply status error, the message, the traceback of the cell",
          reply["status"] == "error" and "deliberate" in reply["evalue"]
          and errs and "[cell" in tb and ":2:" in tb and "inner" in tb
          and "[C]: in ?" not in tb, (reply, tb))
    reply, msgs = run(kc, "x = = 1")
    check("a syntax error is an error reply (SyntaxError)",
          reply["status"] == "error" and reply["ename"] == "SyntaxError", reply)
    reply, msgs = run(kc, "A:dot(ml.ones(3, 3))")
    check("a library error reaches the cell with both shapes",
          reply["status"] == "error" and "2x2" in reply["evalue"] and "3x3" in reply["evalue"],
          reply)

    # display and plots
    reply, msgs = run(kc, "display(A, 'text')\nml.plot.line(nil, {3, 2, 1.5, 1.2})")
    disp = of_type(msgs, "display_data")
    res = of_type(msgs, "execute_result")
    check("display(x) sends display_data for each value",
          len(disp) == 2 and "text/html" in disp[0]["content"]["data"]
          and disp[1]["content"]["data"]["text/plain"] == "text", disp)
    svg = res[0]["content"]["data"].get("image/svg+xml", "") if res else ""
    check("a plot without a file name shows inline as image/svg+xml",
          "<svg" in svg and "</svg>" in svg, res)
    reply, msgs = run(kc, "m = ml.LogisticRegression{epochs = 5}\n"
                          "m:train(ml.matrix{{0}, {1}}, ml.matrix{{0}, {1}})\nm")
    res = of_type(msgs, "execute_result")
    d = res[0]["content"]["data"] if res else {}
    check("a model shows its summary (text and HTML)",
          "LogisticRegression" in d.get("text/plain", "")
          and "LogisticRegression" in d.get("text/html", ""), d)

    # complete and inspect
    c = kc.complete("x = ml.sof", 10, reply=True, timeout=TIMEOUT)["content"]
    check("complete: the prompt's completions, with the word's bounds",
          "ml.softmax" in c["matches"] and "ml.softmax_cross_entropy" in c["matches"]
          and c["cursor_start"] == 4 and c["cursor_end"] == 10 and c["status"] == "ok", c)
    c = kc.complete("dou", 3, reply=True, timeout=TIMEOUT)["content"]
    check("complete: top-level locals of earlier cells", c["matches"] == ["double"], c)
    c = kc.complete("A:resh", 6, reply=True, timeout=TIMEOUT)["content"]
    check("complete: matrix methods after ':'", c["matches"] == ["A:reshape"], c)
    c = kc.inspect("ml.softmax(A)", 5, reply=True, timeout=TIMEOUT)["content"]
    check("inspect: the help text of the name at the cursor",
          c["found"] and "ml.softmax(" in c["data"]["text/plain"], c)
    c = kc.inspect("nosuchname", 3, reply=True, timeout=TIMEOUT)["content"]
    check("inspect: found false for an unknown name", c["status"] == "ok" and not c["found"], c)

    # is_complete
    def is_complete(code):
        kc.is_complete(code)
        return kc.get_shell_msg(timeout=TIMEOUT)["content"]["status"]
    states = [is_complete(code) for code in ("for i = 1, 3 do", "x = 1", "x = )", "f(1,", "")]
    check("is_complete: incomplete, complete, invalid",
          states == ["incomplete", "complete", "invalid", "incomplete", "complete"], states)

    # input_request for io.read
    def answer(msg):
        kc.input("forty-two")
    reply, msgs = run(kc, "local s = io.read()\ns:upper()", stdin_hook=answer, allow_stdin=True)
    res = of_type(msgs, "execute_result")
    check("io.read asks the notebook (input_request) and gets the line",
          res and res[0]["content"]["data"]["text/plain"] == "FORTY-TWO", (reply, msgs))
    reply, msgs = run(kc, "io.read()", allow_stdin=False)
    check("io.read without allow_stdin: an error that says so",
          reply["status"] == "error" and "allow_stdin" in reply["evalue"], reply)

    # interrupt: by signal (the kernelspec's mode), in a loop and in training
    for name, code in (("a Lua loop", "print('running')\nwhile true do end"),
                       ("a training loop", "local X, y = ml.datasets.xor(200)\n"
                        "local big = ml.LogisticRegression{epochs = 1000000}\n"
                        "print('training')\nbig:train(X, y)")):
        msg_id = kc.execute(code)
        wait_started(kc, msg_id)
        time.sleep(0.2)
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        ok = reply["parent_header"]["msg_id"] == msg_id and \
            reply["content"]["status"] == "error" and "interrupted" in reply["content"]["evalue"]
        check(f"interrupt (SIGINT) stops {name}", ok, reply["content"])
        drain(kc)
    reply, msgs = run(kc, "A:sum() + double(1)")
    res = of_type(msgs, "execute_result")
    check("after interrupts the state is usable",
          res and res[0]["content"]["data"]["text/plain"] == "12.0", msgs)

    # interrupt_request on the control channel
    conn = km.get_connection_info()
    ctx = zmq.Context()
    ctl = ctx.socket(zmq.DEALER)
    ctl.setsockopt(zmq.LINGER, 0)
    ctl.connect(f"{conn['transport']}://{conn['ip']}:{conn['control_port']}")
    msg_id = kc.execute("print('running')\nwhile true do end")
    wait_started(kc, msg_id)
    kc.session.send(ctl, "interrupt_request", {})
    creply = {"msg_type": None, "content": {}}
    if ctl.poll(TIMEOUT * 1000):
        creply = kc.session.deserialize(kc.session.feed_identities(ctl.recv_multipart())[1])
    ctl.close()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    check("interrupt_request on control: interrupt_reply, the cell stops",
          creply["msg_type"] == "interrupt_reply" and creply["content"]["status"] == "ok"
          and reply["content"]["status"] == "error", (creply["content"], reply["content"]))
    drain(kc)

    # raw messages: signed correctly, badly, not at all, malformed
    key = conn["key"]
    key = key.encode() if isinstance(key, str) else key
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(f"{conn['transport']}://{conn['ip']}:{conn['shell_port']}")

    def frames(msg_type, signkey, content=None):
        header = json.dumps({"msg_id": uuid.uuid4().hex, "session": "raw", "username": "t",
                             "msg_type": msg_type, "version": "5.3", "date": ""}).encode()
        parts = [header, b"{}", b"{}", json.dumps(content or {}).encode()]
        sig = hmac.new(signkey, b"".join(parts), hashlib.sha256).hexdigest().encode() \
            if signkey is not None else b""
        return [b"<IDS|MSG>", sig] + parts

    def reply_to(fr, wait=1.0):
        sock.send_multipart(fr)
        if sock.poll(int(wait * 1000)):
            return sock.recv_multipart()
        return None

    good = reply_to(frames("kernel_info_request", key), TIMEOUT)
    ok = good is not None and good[0] == b"<IDS|MSG>"
    if ok:
        mac = hmac.new(key, b"".join(good[2:6]), hashlib.sha256).hexdigest().encode()
        ok = hmac.compare_digest(mac, good[1]) and \
            json.loads(good[2])["msg_type"] == "kernel_info_reply" and \
            json.loads(good[3])["msg_type"] == "kernel_info_request"
    check("a signed raw request gets a reply with a valid HMAC-SHA256 signature", ok, good)
    check("a badly signed message is rejected (no reply)",
          reply_to(frames("kernel_info_request", b"wrong key"), 0.5) is None)
    check("an unsigned message is rejected (no reply)",
          reply_to(frames("kernel_info_request", None), 0.5) is None)
    bad = [
        [b"no delimiter", b"at all"],
        [b"<IDS|MSG>", b"sig"],
        [b"<IDS|MSG>"] + frames("kernel_info_request", key)[1:5],
    ]
    fr = frames("kernel_info_request", key)
    fr[2] = b"{not json"
    fr[1] = hmac.new(key, b"".join(fr[2:6]), hashlib.sha256).hexdigest().encode()
    bad.append(fr)
    fr = frames("kernel_info_request", key)
    fr[5] = b"[1, 2]"
    fr[1] = hmac.new(key, b"".join(fr[2:6]), hashlib.sha256).hexdigest().encode()
    bad.append(fr)
    bad.append(frames("no_such_request", key))
    bad.append(frames("execute_request", key, {"code": 42}))
    noreply = [reply_to(f, 0.3) for f in bad[:-1]]
    check("malformed messages get no reply", all(r is None for r in noreply), noreply)
    r = reply_to(bad[-1], TIMEOUT)
    check("an execute_request whose code is not a string: a reply, no crash",
          r is not None and json.loads(r[5])["status"] in ("ok", "error"), r)
    after = reply_to(frames("kernel_info_request", key), TIMEOUT)
    check("the kernel still answers after all of them",
          after is not None and km.is_alive(), after)
    sock.close()
    ctx.term()
    logf.flush()
    log = open(logf.name).read()
    check("rejected and malformed messages are logged",
          "bad signature" in log and "(unsigned)" in log and "malformed" in log
          and "unknown message type no_such_request" in log, log)

    # restart: a new process, a fresh state
    pid = km.provisioner.process.pid
    t0 = time.time()
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=TIMEOUT)
    drain(kc)
    reply, msgs = run(kc, "A == nil and double == nil")
    res = of_type(msgs, "execute_result")
    print(f"# restart took {time.time() - t0:.1f} s")
    check("restart: a new kernel process with a fresh state",
          km.provisioner.process.pid != pid and res
          and res[0]["content"]["data"]["text/plain"] == "true", msgs)

    # shutdown: the reply, then the process ends by itself
    conn = km.get_connection_info()
    ctx = zmq.Context()
    ctl = ctx.socket(zmq.DEALER)
    ctl.setsockopt(zmq.LINGER, 0)
    ctl.connect(f"{conn['transport']}://{conn['ip']}:{conn['control_port']}")
    kc.session.send(ctl, "shutdown_request", {"restart": False})
    sreply = {"msg_type": None, "content": {}}
    if ctl.poll(TIMEOUT * 1000):
        sreply = kc.session.deserialize(kc.session.feed_identities(ctl.recv_multipart())[1])
    ctl.close()
    ctx.term()
    proc = km.provisioner.process
    t0 = time.time()
    while proc.poll() is None and time.time() - t0 < 10:
        time.sleep(0.05)
    check("shutdown_request: shutdown_reply, then the kernel exits with status 0",
          sreply["msg_type"] == "shutdown_reply" and proc.poll() == 0,
          (sreply["content"], proc.poll()))


if __name__ == "__main__":
    sys.exit(main())
