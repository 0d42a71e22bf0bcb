/*
** test_repl.c -- the luaml REPL driven as a user would: through a pipe and
** through a pseudo-terminal (forkpty, so readline, the prompt, Ctrl-C and
** tab completion are the real ones).  Prints TAP.
**   test_repl [path/to/luaml]      (default build/luaml)
*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"

#define TIMEOUT 5.0   /* seconds to wait for any expected output */

static const char *luaml = "build/luaml";
static char tmpdir[] = "/tmp/luaml-repl-XXXXXX";

/* everything the child wrote; 'mark' is where the next expect searches */
static char out[1 << 16];
static size_t outlen = 0, mark = 0;

/* after a failure: what the child wrote since the last match */
static void showoutput(void) {
  size_t i;
  printf("# output since the last match:\n# ");
  for (i = mark; i < outlen; i++) {
    unsigned char c = (unsigned char)out[i];
    if (c == '\n') printf("\\n\n# ");
    else if (c < 32 || c == 127) printf("\\x%02x", c);
    else putchar(c);
  }
  printf("\n");
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Read what fd has within 'wait' seconds into out.  Returns -1 at EOF. */
static int drain(int fd, double wait) {
  struct pollfd p;
  ssize_t n;
  p.fd = fd;
  p.events = POLLIN;
  if (poll(&p, 1, (int)(wait * 1000)) <= 0) return 0;
  if (outlen + 1 >= sizeof out) return -1;
  n = read(fd, out + outlen, sizeof out - 1 - outlen);
  if (n <= 0) return -1;  /* EOF (EIO on a pty whose child is gone) */
  outlen += (size_t)n;
  out[outlen] = '\0';
  return 1;
}

/* Wait until pat appears in the output after mark; move mark past it. */
static int expect(int fd, const char *pat) {
  double end = now() + TIMEOUT;
  for (;;) {
    char *hit = strstr(out + mark, pat);
    if (hit != NULL) {
      mark = (size_t)(hit - out) + strlen(pat);
      return 1;
    }
    if (now() > end || drain(fd, end - now()) < 0) return 0;
  }
}

/* Wait until a whole output line is text (after '\n' or '\r', before
** "\n" or "\r\n"); move mark past it. */
static int expect_line(int fd, const char *text) {
  double end = now() + TIMEOUT;
  size_t l = strlen(text);
  for (;;) {
    char *hit = out + mark;
    while ((hit = strstr(hit, text)) != NULL) {
      char before = hit > out ? hit[-1] : '\n', *after = hit + l;
      if ((before == '\n' || before == '\r') &&
          (after[0] == '\n' || (after[0] == '\r' && after[1] == '\n'))) {
        mark = (size_t)(after - out);
        return 1;
      }
      hit++;
    }
    if (now() > end || drain(fd, end - now()) < 0) return 0;
  }
}

static void sendstr(int fd, const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    s += w;
    n -= (size_t)w;
  }
}

static void childenv(const char *home, const char *hist) {
  setenv("TERM", "xterm", 1);
  setenv("HOME", home, 1);
  if (hist != NULL) setenv("LUAML_HISTORY", hist, 1);
  else unsetenv("LUAML_HISTORY");
  unsetenv("INPUTRC");
  setenv("INPUTRC", "/dev/null", 1);  /* the user's key bindings stay out */
}

/* Wait for the child; its exit status, 128 + the signal that ended it,
** or -1 when it had to be killed. */
static int reap(pid_t pid) {
  int st, i;
  for (i = 0; i < 500; i++) {  /* 5 s */
    if (waitpid(pid, &st, WNOHANG) == pid)
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return -1;
}

/* ---- through a pipe ---------------------------------------------------- */

/* The lines of out between from and mark are at most width columns
** (escape sequences and '\r' aside). */
static int lines_fit(size_t from, int width) {
  size_t i;
  int col = 0, longest = 0;
  for (i = from; i < mark; i++) {
    if (out[i] == '\n' || out[i] == '\r') col = 0;
    else if (++col > longest) longest = col;
  }
  if (longest > width) printf("# a line of %d columns\n", longest);
  return longest <= width;
}

static void test_pipe(void) {
  int in[2], outp[2], rc;
  pid_t pid;
  const char *session =
    "x = ml.ones(2,3)\n"
    "x * 2\n"
    "for i = 1, 3 do\n"
    "  s = (s or 0) + i\n"
    "end\n"
    "s\n"
    "y = 2\n"
    "y + 40\n"
    "ml.ones(1, 1) * 7;\n"
    "_:sum() + 0.5\n"
    "x:shape()\n"
    "{1, 'a', {2}}\n"
    "ml.matrix{\n{1, 2},\n{3, 4}}\n"
    "?ml.softmax\n"
    "error('boom')\n"
    "%time ml.ones(10, 10):sum()\n"
    "while true do end\n"
    "'after'\n";
  if (pipe(in) != 0 || pipe(outp) != 0) { ok(0, "pipe"); return; }
  pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(outp[1], 1);
    dup2(outp[1], 2);
    close(in[1]);
    close(outp[0]);
    childenv(tmpdir, NULL);
    execl(luaml, luaml, "-i", (char *)NULL);  /* -i: the prompt on a pipe */
    _exit(127);
  }
  close(in[0]);
  close(outp[1]);
  outlen = mark = 0;
  out[0] = '\0';
  sendstr(in[1], session);
  ok(expect(outp[0], "matrix 2x3\n 2 2 2\n 2 2 2\n"),
     "pipe: x * 2 prints the matrix with its shape");
  ok(expect_line(outp[0], "6"), "pipe: a multi-line for loop runs");
  ok(expect_line(outp[0], "42"), "pipe: y + 40 prints 42 without '='");
  ok(expect_line(outp[0], "7.5") && !strstr(out, "\n7.0\n"),
     "pipe: a trailing ';' prints nothing, _ holds the value");
  ok(expect_line(outp[0], "2\t3"), "pipe: several values, tab-separated");
  ok(expect(outp[0], "{1, \"a\", {2}}\n"), "pipe: tables print their contents");
  ok(expect(outp[0], "matrix 2x2\n 1 2\n 3 4\n"),
     "pipe: an expression over several lines prints its value");
  ok(expect(outp[0], "ml.softmax(") && expect(outp[0], "> "),
     "pipe: ?ml.softmax prints the doc and its example");
  ok(expect(outp[0], "stdin:1: boom"), "pipe: errors are reported, the REPL goes on");
  ok(expect(outp[0], "100.0\ntime: "), "pipe: %%time prints the time of a line");
  usleep(200000);  /* the loop is running: Ctrl-C it */
  kill(pid, SIGINT);
  ok(expect(outp[0], "interrupted!"), "pipe: SIGINT interrupts a running loop");
  ok(expect(outp[0], "after\n"), "pipe: ... and the REPL reads on");
  close(in[1]);
  rc = reap(pid);
  ok(rc == 0, "pipe: end of input exits with status 0 (got %d)", rc);
  close(outp[0]);
}

/* ---- through a pseudo-terminal -------------------------------------- */

/* Start luaml on a new pty; returns the master fd, sets *pid. */
static int spawn_pty(pid_t *pid, const char *home, const char *hist) {
  int fd;
  struct winsize ws = {24, 100, 0, 0};
  *pid = forkpty(&fd, NULL, NULL, &ws);
  if (*pid < 0) return -1;
  if (*pid == 0) {
    childenv(home, hist);
    execl(luaml, luaml, (char *)NULL);
    _exit(127);
  }
  outlen = mark = 0;
  out[0] = '\0';
  return fd;
}

static void test_pty(void) {
  char hist[300], buf[4096];
  int fd, rc;
  pid_t pid;
  FILE *f;
  size_t n;
  snprintf(hist, sizeof hist, "%s/history", tmpdir);
  fd = spawn_pty(&pid, tmpdir, hist);
  if (fd < 0) { ok(0, "forkpty: %s", strerror(errno)); return; }
  ok(expect(fd, "luaml ") && expect(fd, "> "), "pty: banner and prompt");
  sendstr(fd, "x = ml.ones(2,3)\r");
  expect(fd, "> ");
  sendstr(fd, "x * 2\r");
  ok(expect(fd, "matrix 2x3\r\n 2 2 2\r\n 2 2 2\r\n"),
     "pty: x * 2 prints the matrix with its shape");
  sendstr(fd, "for i = 1, 3 do\r");
  ok(expect(fd, ">> "), "pty: an unfinished chunk asks for more (>> )");
  sendstr(fd, "s = (s or 0) + i\r");
  expect(fd, ">> ");
  sendstr(fd, "end\r");
  expect(fd, "> ");
  sendstr(fd, "s\r");
  ok(expect_line(fd, "6"), "pty: the multi-line for loop ran");
  sendstr(fd, "y = 2\r");
  expect(fd, "> ");
  sendstr(fd, "y + 40\r");
  ok(expect_line(fd, "42"), "pty: y + 40 prints 42");
  sendstr(fd, "ml.ones(1, 1) * 7;\r");
  ok(expect(fd, "> ") && !strstr(out, "\r7.0\r\n"),
     "pty: a trailing ';' prints nothing");
  sendstr(fd, "_:sum() + 0.5\r");
  ok(expect_line(fd, "7.5"), "pty: _ holds the last value");
  sendstr(fd, "while true do end\r");
  usleep(300000);
  sendstr(fd, "\003");  /* Ctrl-C */
  ok(expect(fd, "interrupted!") && expect(fd, "> "),
     "pty: Ctrl-C interrupts a running loop, back at the prompt");
  sendstr(fd, "1 + 1\r");
  ok(expect_line(fd, "2"), "pty: the state works after the interrupt");
  sendstr(fd, "for j = 1, 2 do\r");
  expect(fd, ">> ");
  sendstr(fd, "\003");  /* Ctrl-C at the continuation prompt */
  ok(expect(fd, "> "), "pty: Ctrl-C at the prompt drops the unfinished chunk");
  sendstr(fd, "10 * 4 + 3\r");
  ok(expect_line(fd, "43"), "pty: ... and the next line starts afresh");
  sendstr(fd, "ml.softm\t(ml.matrix{{0, 0}})\r");
  ok(expect(fd, "0.5 0.5") || expect(fd, "0.5"),
     "pty: tab completes ml.softm to ml.softmax");
  sendstr(fd, "x:resh\t(3, 2)\r");
  ok(expect(fd, "matrix 3x2"), "pty: tab completes matrix methods (x:resh)");
  sendstr(fd, "t = setmetatable({}, {__index = function() os.exit(3) end})\r");
  expect(fd, "> ");
  sendstr(fd, "t.abc.d\t\t\025'still here'\r");  /* Ctrl-U kills the line */
  ok(expect(fd, "still here\r\n"), "pty: completion runs no user code (__index)");
  sendstr(fd, "help()\r");
  {
    size_t from = mark;
    ok(expect(fd, "Utilities:") && expect(fd, "> ") && lines_fit(from, 100),
       "pty: help() wraps its lines to the terminal's 100 columns");
  }
  sendstr(fd, "lr = ml.LogisticRegression()\r");
  expect(fd, "> ");
  {
    size_t from = mark;
    sendstr(fd, "lr:\t\t");
    ok(expect(fd, "train") && expect(fd, "> lr:") &&
       !strstr(out + from, "_lossgrad") && !strstr(out + from, "_prepare"),
       "pty: Tab after a model lists its methods, not the private ones");
  }
  sendstr(fd, "\025");  /* Ctrl-U */
  sendstr(fd, "X, Y = ml.datasets.xor(64); "
              "lr = ml.LogisticRegression{epochs = 1000000, progress = true}\r");
  expect(fd, "> ");
  size_t trained = mark;  /* the output from here on is train's */
  sendstr(fd, "lr:train(X, Y)\r");
  ok(expect(fd, "LogisticRegression ["), "pty: train draws its progress bar");
  usleep(300000);
  sendstr(fd, "\003");  /* Ctrl-C */
  ok(expect(fd, "interrupted!") && expect(fd, "> "),
     "pty: Ctrl-C stops train, back at the prompt");
  {
    /* the line of the message ("lua/<file>:<line>: interrupted!", or no
    ** position when Ctrl-C landed in C code) holds none of the bar */
    char *e = strstr(out + trained, "interrupted!"), *b = e;
    const char *p;
    int glued = 0;
    while (b != NULL && b > out + trained && b[-1] != '\n') b--;
    for (p = b; e != NULL && p < e; p++)
      if (*p == '[' && strncmp(p, "[?2004", 6) != 0) glued = 1;  /* the bar's [###  ] */
    ok(e != NULL && b > out + trained && !glued,
       "pty: ... the error starts on its own line, not after the bar");
  }
  sendstr(fd, "lr.cost_history.cols > 0, lr:predict(X).rows\r");
  ok(expect_line(fd, "true\t64"),
     "pty: ... cost_history keeps the costs so far, the model predicts");
  sendstr(fd, "help(ml.softmax)\r");
  ok(expect(fd, "ml.softmax(") && expect(fd, "> "), "pty: help(ml.softmax)");
  sendstr(fd, "?ml.zeros\r");
  ok(expect(fd, "ml.zeros(") && expect(fd, "> "), "pty: ?ml.zeros");
  sendstr(fd, "%time\r");
  ok(expect(fd, "timing is on"), "pty: %%time toggles timing");
  sendstr(fd, "ml.ones(3, 3):sum()\r");
  ok(expect(fd, "9.0\r\ntime: "), "pty: each line is timed");
  sendstr(fd, "%time\r");
  expect(fd, "timing is off");
  expect(fd, "> ");  /* a Ctrl-D typed ahead, in the tty's cooked mode, is lost */
  sendstr(fd, "\004");  /* Ctrl-D */
  rc = reap(pid);
  ok(rc == 0, "pty: Ctrl-D exits with status 0 (got %d)", rc);
  close(fd);
  f = fopen(hist, "r");
  n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  buf[n] = '\0';
  if (f) fclose(f);
  ok(strstr(buf, "y + 40\n") != NULL && strstr(buf, "for i = 1, 3 do") != NULL,
     "pty: the session is in the history file");

  /* a new session recalls the history with the up arrow */
  fd = spawn_pty(&pid, tmpdir, hist);
  expect(fd, "> ");
  sendstr(fd, "\033[A\r");  /* the up arrow: the last line, `%time` */
  ok(expect(fd, "timing is on"), "pty: history persists across sessions");
  expect(fd, "> ");
  sendstr(fd, "\004");
  reap(pid);
  close(fd);

  /* an unwritable HOME: the REPL works, without a history file */
  fd = spawn_pty(&pid, "/proc/nonexistent", NULL);
  expect(fd, "> ");
  sendstr(fd, "y = 40\r");
  expect(fd, "> ");
  sendstr(fd, "y + 2\r");
  ok(expect_line(fd, "42"), "pty: works when HOME is unwritable");
  expect(fd, "> ");
  sendstr(fd, "\004");
  rc = reap(pid);
  ok(rc == 0, "pty: ... and exits cleanly (got %d)", rc);
  close(fd);
}

int main(int argc, char **argv) {
  char cmd[400];
  if (argc > 1) luaml = argv[1];
  if (access(luaml, X_OK) != 0) {
    printf("1..0 # skip: %s not built\n", luaml);
    return 0;
  }
  if (mkdtemp(tmpdir) == NULL) {
    printf("not ok 1 - mkdtemp: %s\n", strerror(errno));
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  tap_diag = showoutput;
  test_pipe();
  test_pty();
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
  return tap_end();
}
