/*
** kernel.c -- `luaml --kernel CONNECTION_FILE`: the Jupyter messaging
** protocol (v5.3) spoken by the host itself, so a notebook runs luaml.
**
** Sockets (ZeroMQ): shell and control (ROUTER) carry requests and replies,
** iopub (PUB) what a cell shows (status, input, streams, results, errors),
** stdin (ROUTER) input requests for io.read, heartbeat (REP) echoes.
** Messages are JSON (jansson) signed with HMAC-SHA256 (libcrypto) over
** header, parent header, metadata and content; a message whose signature
** does not match, or that is malformed, is logged on stderr and dropped.
**
** libzmq, libjansson and libcrypto are loaded with dlopen when --kernel
** starts (as core_blasdl.c loads OpenBLAS), so the rest of luaml neither
** needs them nor pays for them at start-up.
**
** Threads: the main thread serves shell and runs the cells; a control
** thread answers interrupt, shutdown and kernel_info on the control socket
** while a cell runs; a heartbeat thread echoes.  A cell is stopped, as at
** the prompt, by a Lua hook that raises "interrupted!" at its next
** instruction: set by SIGINT (the notebook's interrupt_mode "signal") or by
** an interrupt_request on control.  What a cell prints, displays and reads
** goes through lua/notebook.lua (print, io.write, io.read, display).
*/
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <zmq.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lua.h"
#include "lauxlib.h"

#include "luaml.h"
#include "host.h"

#define DELIM "<IDS|MSG>"
#define PROTOCOL "5.3"
#define POLLMS 100  /* the loops look at the quit flag this often */

/* ---- the libraries, loaded at --kernel -------------------------------- */

#define ZMQ_FUNCS(X)                                                        \
  X(zmq_ctx_new) X(zmq_ctx_shutdown) X(zmq_ctx_term) X(zmq_socket)          \
  X(zmq_close) X(zmq_bind) X(zmq_setsockopt) X(zmq_send) X(zmq_msg_init)    \
  X(zmq_msg_recv) X(zmq_msg_data) X(zmq_msg_size) X(zmq_msg_more)           \
  X(zmq_msg_close) X(zmq_poll) X(zmq_proxy) X(zmq_strerror) X(zmq_errno)
#define JSON_FUNCS(X)                                                       \
  X(json_object) X(json_object_get) X(json_object_set_new) X(json_array)    \
  X(json_array_append_new) X(json_array_size) X(json_array_get)             \
  X(json_stringn) X(json_string_value) X(json_string_length)               \
  X(json_integer) X(json_integer_value) X(json_true) X(json_false)          \
  X(json_null) X(json_loadb) X(json_load_file) X(json_dumps) X(json_delete)
#define CRYPTO_FUNCS(X) X(HMAC) X(EVP_sha256) X(CRYPTO_memcmp)

static struct {
#define FIELD(f) __typeof__(f) *f;
  ZMQ_FUNCS(FIELD)
  JSON_FUNCS(FIELD)
  CRYPTO_FUNCS(FIELD)
#undef FIELD
} A;

/* dlopen each library and find its functions; 0, or -1 after saying why */
static int loadlibs(void) {
  static const char *const names[3] = {"libzmq.so.5", "libjansson.so.4", "libcrypto.so.3"};
  void *h[3];
  int i;
  for (i = 0; i < 3; i++) {
    h[i] = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (h[i] == NULL) {
      fprintf(stderr, "luaml --kernel: cannot load %s (%s); install libzmq5, "
              "libjansson4 and libssl3\n", names[i], dlerror());
      return -1;
    }
  }
#define LOAD(lib, f)                                                        \
  if ((*(void **)&A.f = dlsym(h[lib], #f)) == NULL) {                       \
    fprintf(stderr, "luaml --kernel: %s has no %s\n", names[lib], #f);      \
    return -1;                                                              \
  }
#define LZ(f) LOAD(0, f)
#define LJ(f) LOAD(1, f)
#define LC(f) LOAD(2, f)
  ZMQ_FUNCS(LZ)
  JSON_FUNCS(LJ)
  CRYPTO_FUNCS(LC)
#undef LZ
#undef LJ
#undef LC
#undef LOAD
  return 0;
}

/* json_decref, through the loaded library */
static void jfree(json_t *j) {
  if (j != NULL && j->refcount != (size_t)-1 && --j->refcount == 0)
    A.json_delete(j);
}

/* A JSON string of s (l bytes); bytes that are not UTF-8 become U+FFFD,
** since JSON text must be UTF-8 (a cell may print anything). */
static json_t *jstr(const char *s, size_t l) {
  json_t *j = A.json_stringn(s, l);
  char *buf;
  size_t i, n = 0;
  if (j != NULL) return j;
  if ((buf = malloc(3 * l + 1)) == NULL) return A.json_stringn("", 0);
  for (i = 0; i < l; i++) {
    unsigned char c = (unsigned char)s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    size_t k;
    int ok = len > 0 && i + (size_t)len <= l && c != 0;
    for (k = 1; ok && k < (size_t)len; k++)
      ok = ((unsigned char)s[i + k] >> 6) == 2;
    if (ok && len > 1) {
      j = A.json_stringn(s + i, (size_t)len);  /* overlong forms and the like */
      ok = j != NULL;
      jfree(j);
    }
    if (ok) {
      memcpy(buf + n, s + i, (size_t)len);
      n += (size_t)len;
      i += (size_t)len - 1;
    } else {
      memcpy(buf + n, "\xEF\xBF\xBD", 3);
      n += 3;
    }
  }
  j = A.json_stringn(buf, n);
  free(buf);
  return j;
}

static json_t *jcstr(const char *s) { return jstr(s, strlen(s)); }

/* ---- messages --------------------------------------------------------- */

typedef struct { char *p; size_t n; } frame;

/* a received message: its frames, and the parts parsed */
typedef struct {
  frame *f;
  int n, cap;
  int delim;           /* index of the "<IDS|MSG>" frame */
  json_t *header, *content;
  const char *type;    /* header.msg_type */
} kmsg;

typedef struct kernel {
  lua_State *L;
  void *ctx, *shell, *control, *stdin_, *iopub, *hb;
  char *key;           /* the signing key (empty: messages are not signed) */
  size_t keylen;
  char session[40];
  pthread_mutex_t idlock;
  unsigned long nextid;
  kmsg *parent;        /* the execute request being run (streams, input) */
  int allow_stdin;     /* the request allows input requests */
  int count;           /* execution count */
  volatile sig_atomic_t running, interrupted, quit;
  int nbref;           /* registry reference of lua/notebook.lua's table */
} kernel;

static kernel *sigK;  /* for the SIGINT handler (takes no user data) */

static void logmsg(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "luaml kernel: ");
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  fflush(stderr);
}

static void freemsg(kmsg *m) {
  int i;
  for (i = 0; i < m->n; i++) free(m->f[i].p);
  free(m->f);
  jfree(m->header);
  jfree(m->content);
  memset(m, 0, sizeof *m);
}

/* the lowercase hex HMAC-SHA256 of the parts, into hex[65]; "" unsigned */
static void sign(kernel *k, const frame *parts, int n, char *hex) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0, i;
  size_t total = 0, off = 0;
  unsigned char *buf;
  int j;
  hex[0] = '\0';
  if (k->keylen == 0) return;
  for (j = 0; j < n; j++) total += parts[j].n;
  if ((buf = malloc(total + 1)) == NULL) return;
  for (j = 0; j < n; j++) {
    memcpy(buf + off, parts[j].p, parts[j].n);
    off += parts[j].n;
  }
  A.HMAC(A.EVP_sha256(), k->key, (int)k->keylen, buf, total, md, &mdlen);
  free(buf);
  for (i = 0; i < mdlen && i < 32; i++) sprintf(hex + 2 * i, "%02x", md[i]);
}

/* Receive one message from sock.  0: a valid message in m; -1: nothing
** (or an error, logged; m is empty). */
static int krecv(kernel *k, void *sock, const char *where, kmsg *m) {
  char hex[65];
  json_t *t;
  memset(m, 0, sizeof *m);
  for (;;) {
    zmq_msg_t z;
    int more;
    A.zmq_msg_init(&z);
    if (A.zmq_msg_recv(&z, sock, 0) < 0) {
      A.zmq_msg_close(&z);
      freemsg(m);
      return -1;
    }
    if (m->n == m->cap) {
      int cap = m->cap ? 2 * m->cap : 8;
      frame *f = realloc(m->f, (size_t)cap * sizeof *f);
      if (f == NULL) { A.zmq_msg_close(&z); freemsg(m); return -1; }
      m->f = f;
      m->cap = cap;
    }
    m->f[m->n].n = A.zmq_msg_size(&z);
    m->f[m->n].p = malloc(m->f[m->n].n + 1);
    if (m->f[m->n].p == NULL) { A.zmq_msg_close(&z); freemsg(m); return -1; }
    memcpy(m->f[m->n].p, A.zmq_msg_data(&z), m->f[m->n].n);
    m->f[m->n].p[m->f[m->n].n] = '\0';
    m->n++;
    more = A.zmq_msg_more(&z);
    A.zmq_msg_close(&z);
    if (!more) break;
  }
  for (m->delim = 0; m->delim < m->n; m->delim++)
    if (m->f[m->delim].n == sizeof DELIM - 1 &&
        memcmp(m->f[m->delim].p, DELIM, sizeof DELIM - 1) == 0) break;
  if (m->delim + 5 >= m->n) {  /* identities, DELIM, signature, 4 parts */
    logmsg("malformed message on %s (%s): dropped", where, "no delimiter or too few frames");
    freemsg(m);
    return -1;
  }
  sign(k, m->f + m->delim + 2, 4, hex);
  if (m->f[m->delim + 1].n != strlen(hex) ||
      A.CRYPTO_memcmp(hex, m->f[m->delim + 1].p, strlen(hex)) != 0) {
    logmsg("message on %s with a bad signature%s: rejected", where,
           m->f[m->delim + 1].n == 0 ? " (unsigned)" : "");
    freemsg(m);
    return -1;
  }
  m->header = A.json_loadb(m->f[m->delim + 2].p, m->f[m->delim + 2].n, 0, NULL);
  m->content = A.json_loadb(m->f[m->delim + 5].p, m->f[m->delim + 5].n, 0, NULL);
  t = m->header ? A.json_object_get(m->header, "msg_type") : NULL;
  m->type = t ? A.json_string_value(t) : NULL;
  if (m->type == NULL || m->content == NULL || !json_is_object(m->content)) {
    logmsg("malformed message on %s (%s): dropped", where, "bad header or content");
    freemsg(m);
    return -1;
  }
  return 0;
}

/* Send a message of type with content (taken) on sock: to the identities
** of parent (none for iopub, whose topic is the type), parent's header as
** the parent header.  0, or -1 (logged). */
static int ksend(kernel *k, void *sock, const kmsg *parent, const char *type,
                 json_t *content) {
  frame parts[4];
  char hex[65], id[96], date[40];
  json_t *h = A.json_object();
  struct timeval tv;
  struct tm tm;
  int i, nid = 0, rc = 0, iopub = sock == k->iopub;
  pthread_mutex_lock(&k->idlock);
  snprintf(id, sizeof id, "%s_%lu", k->session, ++k->nextid);
  pthread_mutex_unlock(&k->idlock);
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  strftime(date, 24, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(date + strlen(date), sizeof date - strlen(date), ".%06ldZ", (long)tv.tv_usec);
  A.json_object_set_new(h, "msg_id", jcstr(id));
  A.json_object_set_new(h, "session", jcstr(k->session));
  A.json_object_set_new(h, "username", jcstr("kernel"));
  A.json_object_set_new(h, "date", jcstr(date));
  A.json_object_set_new(h, "msg_type", jcstr(type));
  A.json_object_set_new(h, "version", jcstr(PROTOCOL));
  parts[0].p = A.json_dumps(h, JSON_COMPACT);
  parts[1].p = parent ? parent->f[parent->delim + 2].p : "{}";
  parts[2].p = "{}";
  parts[3].p = A.json_dumps(content, JSON_COMPACT);
  jfree(h);
  jfree(content);
  if (parts[0].p == NULL || parts[3].p == NULL) {
    logmsg("cannot encode a %s message%s", type, "");
    free(parts[0].p);
    free(parts[3].p);
    return -1;
  }
  for (i = 0; i < 4; i++) parts[i].n = strlen(parts[i].p);
  sign(k, parts, 4, hex);
  if (iopub) {
    if (A.zmq_send(sock, type, strlen(type), ZMQ_SNDMORE) < 0) rc = -1;
  } else if (parent) {
    for (nid = 0; nid < parent->delim; nid++)
      if (A.zmq_send(sock, parent->f[nid].p, parent->f[nid].n, ZMQ_SNDMORE) < 0) rc = -1;
  }
  if (A.zmq_send(sock, DELIM, sizeof DELIM - 1, ZMQ_SNDMORE) < 0 ||
      A.zmq_send(sock, hex, strlen(hex), ZMQ_SNDMORE) < 0) rc = -1;
  for (i = 0; i < 4; i++)
    if (A.zmq_send(sock, parts[i].p, parts[i].n, i < 3 ? ZMQ_SNDMORE : 0) < 0) rc = -1;
  free(parts[0].p);
  free(parts[3].p);
  if (rc < 0) logmsg("cannot send a %s message: %s", type, A.zmq_strerror(A.zmq_errno()));
  return rc;
}

static void status(kernel *k, const kmsg *parent, const char *state) {
  json_t *c = A.json_object();
  A.json_object_set_new(c, "execution_state", jcstr(state));
  ksend(k, k->iopub, parent, "status", c);
}

/* ---- interrupting a cell --------------------------------------------- */

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

/* stop the running cell at its next instruction (any thread, or a signal) */
static void interrupt(kernel *k) {
  if (!k->running) return;
  k->interrupted = 1;
  lua_sethook(k->L, lstop, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

static void onsigint(int sig) {
  (void)sig;
  if (sigK != NULL) interrupt(sigK);
}

/* ---- kernel_info ------------------------------------------------------- */

static json_t *kernel_info(void) {
  json_t *c = A.json_object(), *li = A.json_object(), *links = A.json_array(),
         *link = A.json_object();
  A.json_object_set_new(c, "status", jcstr("ok"));
  A.json_object_set_new(c, "protocol_version", jcstr(PROTOCOL));
  A.json_object_set_new(c, "implementation", jcstr("luaml"));
  A.json_object_set_new(c, "implementation_version", jcstr(LUAML_VERSION));
  A.json_object_set_new(li, "name", jcstr("lua"));
  A.json_object_set_new(li, "version", jcstr(LUA_VERSION_MAJOR "." LUA_VERSION_MINOR));
  A.json_object_set_new(li, "mimetype", jcstr("text/x-lua"));
  A.json_object_set_new(li, "file_extension", jcstr(".lua"));
  A.json_object_set_new(li, "pygments_lexer", jcstr("lua"));
  A.json_object_set_new(li, "codemirror_mode", jcstr("lua"));
  A.json_object_set_new(c, "language_info", li);
  A.json_object_set_new(c, "banner", jcstr("luaml " LUAML_VERSION " (" LUA_RELEASE
                        "): Lua with matrices and machine learning; help() for help"));
  A.json_object_set_new(link, "text", jcstr("luaml reference"));
  A.json_object_set_new(link, "url", jcstr("https://www.lua.org/manual/5.4/"));
  A.json_array_append_new(links, link);
  A.json_object_set_new(c, "help_links", links);
  return c;
}

/* ---- the control thread ------------------------------------------------ */

static json_t *shutdown_content(const kmsg *m) {
  json_t *c = A.json_object(), *r = A.json_object_get(m->content, "restart");
  A.json_object_set_new(c, "status", jcstr("ok"));
  A.json_object_set_new(c, "restart", r && json_is_true(r) ? A.json_true() : A.json_false());
  return c;
}

static void *control_loop(void *arg) {
  kernel *k = arg;
  while (!k->quit) {
    zmq_pollitem_t it = {NULL, 0, ZMQ_POLLIN, 0};
    kmsg m;
    it.socket = k->control;
    if (A.zmq_poll(&it, 1, POLLMS) <= 0 || !(it.revents & ZMQ_POLLIN)) continue;
    if (krecv(k, k->control, "control", &m) != 0) continue;
    if (strcmp(m.type, "interrupt_request") == 0) {
      json_t *c = A.json_object();
      A.json_object_set_new(c, "status", jcstr("ok"));
      interrupt(k);
      ksend(k, k->control, &m, "interrupt_reply", c);
    } else if (strcmp(m.type, "shutdown_request") == 0) {
      ksend(k, k->control, &m, "shutdown_reply", shutdown_content(&m));
      k->quit = 1;
      interrupt(k);
    } else if (strcmp(m.type, "kernel_info_request") == 0) {
      ksend(k, k->control, &m, "kernel_info_reply", kernel_info());
    } else {
      logmsg("unknown message type %s on %s: ignored", m.type, "control");
    }
    freemsg(&m);
  }
  return NULL;
}

static void *heartbeat_loop(void *arg) {
  kernel *k = arg;
  A.zmq_proxy(k->hb, k->hb, NULL);  /* returns when the context ends */
  A.zmq_close(k->hb);
  return NULL;
}

/* ---- what Lua calls: streams, display, input -------------------------- */

/* send_stream(name, text): a stream message to the cell */
static int l_stream(lua_State *L) {
  kernel *k = lua_touserdata(L, lua_upvalueindex(1));
  size_t l;
  const char *name = luaL_checkstring(L, 1), *text = luaL_checklstring(L, 2, &l);
  json_t *c;
  if (k->parent == NULL || l == 0) return 0;
  c = A.json_object();
  A.json_object_set_new(c, "name", jcstr(name));
  A.json_object_set_new(c, "text", jstr(text, l));
  ksend(k, k->iopub, k->parent, "stream", c);
  return 0;
}

/* the JSON object of a Lua table of strings (a MIME bundle) at idx */
static json_t *bundle(lua_State *L, int idx) {
  json_t *d = A.json_object();
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE) return d;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
      size_t l;
      const char *v = lua_tolstring(L, -1, &l);
      A.json_object_set_new(d, lua_tostring(L, -2), jstr(v, l));
    }
    lua_pop(L, 1);
  }
  return d;
}

/* send_display(bundle): a display_data message to the cell */
static int l_display(lua_State *L) {
  kernel *k = lua_touserdata(L, lua_upvalueindex(1));
  json_t *c;
  luaL_checktype(L, 1, LUA_TTABLE);
  if (k->parent == NULL) return 0;
  c = A.json_object();
  A.json_object_set_new(c, "data", bundle(L, 1));
  A.json_object_set_new(c, "metadata", A.json_object());
  A.json_object_set_new(c, "transient", A.json_object());
  ksend(k, k->iopub, k->parent, "display_data", c);
  return 0;
}

/* input(prompt): ask the notebook for a line (input_request on stdin) and
** wait for the reply; raises when the request allows no input, or when the
** cell is interrupted meanwhile */
static int l_input(lua_State *L) {
  kernel *k = lua_touserdata(L, lua_upvalueindex(1));
  const char *prompt = luaL_optstring(L, 1, "");
  json_t *c;
  if (k->parent == NULL || !k->allow_stdin)
    return luaL_error(L, "io.read: this notebook front-end does not accept input "
                      "(allow_stdin is false); give the values in the cell instead");
  c = A.json_object();
  A.json_object_set_new(c, "prompt", jcstr(prompt));
  A.json_object_set_new(c, "password", A.json_false());
  ksend(k, k->stdin_, k->parent, "input_request", c);
  for (;;) {
    zmq_pollitem_t it = {NULL, 0, ZMQ_POLLIN, 0};
    kmsg m;
    it.socket = k->stdin_;
    if (k->interrupted || k->quit) return luaL_error(L, "interrupted!");
    if (A.zmq_poll(&it, 1, POLLMS) <= 0 || !(it.revents & ZMQ_POLLIN)) continue;
    if (krecv(k, k->stdin_, "stdin", &m) != 0) continue;
    if (strcmp(m.type, "input_reply") == 0) {
      json_t *v = A.json_object_get(m.content, "value");
      const char *s = v ? A.json_string_value(v) : NULL;
      if (s != NULL) lua_pushlstring(L, s, A.json_string_length(v));
      else lua_pushliteral(L, "");
      freemsg(&m);
      return 1;
    }
    logmsg("unexpected %s on %s: ignored", m.type, "stdin");
    freemsg(&m);
  }
}

/* Set up the state for the notebook (protected): the notebook module's
** table in the registry, output and input redirected, display(). */
static int setup(lua_State *L) {
  kernel *k = lua_touserdata(L, 1);
  if (!luaml_pushnotebook(L))
    return luaL_error(L, "the library has no notebook module (lua/notebook.lua)");
  lua_pushvalue(L, -1);
  k->nbref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_getfield(L, -1, "redirect");
  lua_pushlightuserdata(L, k);
  lua_pushcclosure(L, l_stream, 1);
  lua_pushlightuserdata(L, k);
  lua_pushcclosure(L, l_input, 1);
  lua_call(L, 2, 0);
  lua_getfield(L, -1, "displayer");
  lua_pushlightuserdata(L, k);
  lua_pushcclosure(L, l_display, 1);
  lua_call(L, 1, 1);
  lua_setglobal(L, "display");
  if (lua_getglobal(L, "ml") == LUA_TTABLE) {
    lua_getfield(L, -1, "help");
    lua_setglobal(L, "help");
  }
  return 0;
}

/* ---- shell requests ----------------------------------------------------- */

/* push nb[name] (the notebook module's function) */
static void nbfunc(kernel *k, const char *name) {
  lua_rawgeti(k->L, LUA_REGISTRYINDEX, k->nbref);
  lua_getfield(k->L, -1, name);
  lua_remove(k->L, -2);
}

static const char *cstring(json_t *o, const char *key, const char *def) {
  json_t *v = json_is_object(o) ? A.json_object_get(o, key) : NULL;
  const char *s = v ? A.json_string_value(v) : NULL;
  return s ? s : def;
}

static int cbool(json_t *o, const char *key, int def) {
  json_t *v = A.json_object_get(o, key);
  return v == NULL ? def : json_is_true(v);
}

static json_t *tracelist(lua_State *L, int idx) {
  json_t *a = A.json_array();
  size_t i, n = lua_rawlen(L, idx);
  for (i = 1; i <= n; i++) {
    size_t l;
    const char *s;
    lua_rawgeti(L, idx, (lua_Integer)i);
    s = lua_tolstring(L, -1, &l);
    if (s) A.json_array_append_new(a, jstr(s, l));
    lua_pop(L, 1);
  }
  return a;
}

/* Run a cell: compile it (nb.cell), call it with Ctrl-C and interrupts
** turned into errors, show its result; the reply's content. */
static json_t *execute(kernel *k, kmsg *m) {
  lua_State *L = k->L;
  const char *code = cstring(m->content, "code", "");
  int silent = cbool(m->content, "silent", 0);
  int store = cbool(m->content, "store_history", 1) && !silent;
  int top = lua_gettop(L), status, quiet = 0;
  char name[48];
  json_t *c = A.json_object();
  if (store) k->count++;
  if (!silent) {
    json_t *in = A.json_object();
    A.json_object_set_new(in, "code", jcstr(code));
    A.json_object_set_new(in, "execution_count", A.json_integer(k->count));
    ksend(k, k->iopub, m, "execute_input", in);
  }
  snprintf(name, sizeof name, "=[cell %d]", k->count);
  k->parent = m;
  k->allow_stdin = cbool(m->content, "allow_stdin", 0);
  nbfunc(k, "cell");
  lua_pushstring(L, code);
  lua_pushstring(L, name);
  status = lua_pcall(L, 2, 2, 0);
  if (status == LUA_OK && lua_isnil(L, -2)) {
    status = LUA_ERRSYNTAX;
    lua_remove(L, -2);
  } else if (status == LUA_OK) {
    quiet = lua_toboolean(L, -1) || silent;
    lua_pop(L, 1);
    k->interrupted = 0;
    lua_sethook(L, NULL, 0, 0);
    nbfunc(k, "pass");  /* the cell's argument (nb.cell) */
    k->running = 1;
    status = luaml_pcall(L, 1, LUA_MULTRET);
    k->running = 0;
    lua_sethook(L, NULL, 0, 0);
  }
  if (status == LUA_OK && lua_gettop(L) > top && !quiet) {
    int n = lua_gettop(L) - top;
    nbfunc(k, "result");
    lua_insert(L, top + 1);
    status = lua_pcall(L, n, 1, 0);
    if (status == LUA_OK) {
      json_t *r = A.json_object();
      A.json_object_set_new(r, "execution_count", A.json_integer(k->count));
      A.json_object_set_new(r, "data", bundle(L, -1));
      A.json_object_set_new(r, "metadata", A.json_object());
      ksend(k, k->iopub, m, "execute_result", r);
    }
  }
  if (status != LUA_OK) {
    json_t *e = A.json_object();
    const char *ename = k->interrupted ? "Interrupted" :
                        status == LUA_ERRSYNTAX ? "SyntaxError" : "LuaError";
    if (!lua_isstring(L, -1)) {
      lua_pop(L, 1);
      lua_pushliteral(L, "(error object is not a string)");
    }
    nbfunc(k, "error");
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 2, 0) != LUA_OK) {  /* its message, as one line */
      lua_newtable(L);
      lua_pushvalue(L, -2);
      lua_rawseti(L, -2, 1);
    }
    A.json_object_set_new(e, "ename", jcstr(ename));
    A.json_object_set_new(e, "evalue", jcstr(lua_tostring(L, -2) ? lua_tostring(L, -2) : ""));
    A.json_object_set_new(e, "traceback", tracelist(L, lua_gettop(L)));
    A.json_object_set_new(c, "status", jcstr("error"));
    A.json_object_set_new(c, "ename", jcstr(ename));
    A.json_object_set_new(c, "evalue", jcstr(lua_tostring(L, -2) ? lua_tostring(L, -2) : ""));
    A.json_object_set_new(c, "traceback", tracelist(L, lua_gettop(L)));
    if (!silent) ksend(k, k->iopub, m, "error", e);
    else jfree(e);
  } else {
    A.json_object_set_new(c, "status", jcstr("ok"));
    A.json_object_set_new(c, "payload", A.json_array());
    A.json_object_set_new(c, "user_expressions", A.json_object());
  }
  A.json_object_set_new(c, "execution_count", A.json_integer(k->count));
  k->parent = NULL;
  k->interrupted = 0;
  lua_settop(L, top);
  luaml_trim(L);
  return c;
}

/* luaml_completions with a string argument (it takes a light userdata) */
static int completions_of(lua_State *L) {
  const char *word = luaL_checkstring(L, 1);
  lua_settop(L, 0);
  lua_pushlightuserdata(L, (void *)word);
  return luaml_completions(L);  /* word stays alive: the caller holds it */
}

/* complete_request: the prompt's completions of the word at the cursor */
static json_t *complete(kernel *k, kmsg *m) {
  lua_State *L = k->L;
  json_t *c = A.json_object(), *matches = A.json_array();
  json_t *cur = A.json_object_get(m->content, "cursor_pos");
  const char *code = cstring(m->content, "code", "");
  lua_Integer pos = cur ? A.json_integer_value(cur) : (lua_Integer)strlen(code);
  lua_Integer start = pos, stop = pos;
  int top = lua_gettop(L);
  nbfunc(k, "complete");
  lua_pushstring(L, code);
  lua_pushinteger(L, pos);
  lua_pushcfunction(L, completions_of);
  if (lua_pcall(L, 3, 3, 0) == LUA_OK) {
    lua_Integer i, n = (lua_Integer)lua_rawlen(L, -3);
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, -3, i);
      if (lua_isstring(L, -1)) A.json_array_append_new(matches, jcstr(lua_tostring(L, -1)));
      lua_pop(L, 1);
    }
    start = lua_tointeger(L, -2);
    stop = lua_tointeger(L, -1);
  }
  lua_settop(L, top);
  A.json_object_set_new(c, "status", jcstr("ok"));
  A.json_object_set_new(c, "matches", matches);
  A.json_object_set_new(c, "cursor_start", A.json_integer(start));
  A.json_object_set_new(c, "cursor_end", A.json_integer(stop));
  A.json_object_set_new(c, "metadata", A.json_object());
  return c;
}

/* inspect_request: the help text of the name at the cursor */
static json_t *inspect(kernel *k, kmsg *m) {
  lua_State *L = k->L;
  json_t *c = A.json_object(), *data = A.json_object();
  json_t *cur = A.json_object_get(m->content, "cursor_pos");
  const char *code = cstring(m->content, "code", "");
  int top = lua_gettop(L), found = 0;
  nbfunc(k, "inspect");
  lua_pushstring(L, code);
  lua_pushinteger(L, cur ? A.json_integer_value(cur) : (lua_Integer)strlen(code));
  if (lua_pcall(L, 2, 1, 0) == LUA_OK && lua_isstring(L, -1)) {
    size_t l;
    const char *s = lua_tolstring(L, -1, &l);
    A.json_object_set_new(data, "text/plain", jstr(s, l));
    found = 1;
  }
  lua_settop(L, top);
  A.json_object_set_new(c, "status", jcstr("ok"));
  A.json_object_set_new(c, "found", found ? A.json_true() : A.json_false());
  A.json_object_set_new(c, "data", data);
  A.json_object_set_new(c, "metadata", A.json_object());
  return c;
}

/* is_complete_request: complete, incomplete (more lines) or invalid */
static json_t *is_complete(kernel *k, kmsg *m) {
  lua_State *L = k->L;
  json_t *c = A.json_object();
  const char *st = "unknown";
  int top = lua_gettop(L);
  nbfunc(k, "is_complete");
  lua_pushstring(L, cstring(m->content, "code", ""));
  if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_isstring(L, -1))
    st = lua_tostring(L, -1);
  A.json_object_set_new(c, "status", jcstr(st));
  if (strcmp(st, "incomplete") == 0) A.json_object_set_new(c, "indent", jcstr("  "));
  lua_settop(L, top);
  return c;
}

/* one shell request: busy, the reply, idle */
static void shell_request(kernel *k, kmsg *m) {
  const char *t = m->type;
  json_t *reply = NULL;
  char rtype[64];
  status(k, m, "busy");
  if (strcmp(t, "kernel_info_request") == 0) reply = kernel_info();
  else if (strcmp(t, "execute_request") == 0) reply = execute(k, m);
  else if (strcmp(t, "complete_request") == 0) reply = complete(k, m);
  else if (strcmp(t, "inspect_request") == 0) reply = inspect(k, m);
  else if (strcmp(t, "is_complete_request") == 0) reply = is_complete(k, m);
  else if (strcmp(t, "history_request") == 0) {
    reply = A.json_object();
    A.json_object_set_new(reply, "status", jcstr("ok"));
    A.json_object_set_new(reply, "history", A.json_array());
  } else if (strcmp(t, "comm_info_request") == 0) {
    reply = A.json_object();
    A.json_object_set_new(reply, "status", jcstr("ok"));
    A.json_object_set_new(reply, "comms", A.json_object());
  } else if (strcmp(t, "shutdown_request") == 0) {
    reply = shutdown_content(m);
    k->quit = 1;
  } else {
    logmsg("unknown message type %s on %s: ignored", t, "shell");
  }
  if (reply != NULL) {
    size_t l = strlen(t);
    if (l > 8 && strcmp(t + l - 8, "_request") == 0 && l < sizeof rtype) {
      memcpy(rtype, t, l - 8);
      strcpy(rtype + l - 8, "_reply");
      ksend(k, k->shell, m, rtype, reply);
    } else {
      jfree(reply);
    }
  }
  status(k, m, "idle");
}

/* ---- start-up ----------------------------------------------------------- */

/* bind a socket of type to the connection's transport, ip and port field */
static void *bindsock(kernel *k, json_t *conn, int type, const char *field) {
  char addr[300];
  void *s = A.zmq_socket(k->ctx, type);
  json_t *port = A.json_object_get(conn, field);
  int linger = 1000;
  if (s == NULL) return NULL;
  A.zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  if (!json_is_integer(port)) {
    logmsg("the connection file has no %s%s", field, "");
    A.zmq_close(s);
    return NULL;
  }
  snprintf(addr, sizeof addr, "%s://%s:%lld", cstring(conn, "transport", "tcp"),
           cstring(conn, "ip", "127.0.0.1"), (long long)A.json_integer_value(port));
  if (A.zmq_bind(s, addr) != 0) {
    logmsg("cannot bind %s: %s", addr, A.zmq_strerror(A.zmq_errno()));
    A.zmq_close(s);
    return NULL;
  }
  return s;
}

/* the kernel's main loop: shell requests until a shutdown */
static void serve(kernel *k) {
  pid_t parent = getppid();
  while (!k->quit) {
    zmq_pollitem_t it = {NULL, 0, ZMQ_POLLIN, 0};
    kmsg m;
    it.socket = k->shell;
    if (getppid() != parent && getenv("JPY_PARENT_PID") != NULL) {
      logmsg("the notebook server is gone: %s%s", "exiting", "");
      break;  /* started by a client that died: do not linger */
    }
    if (A.zmq_poll(&it, 1, POLLMS) <= 0 || !(it.revents & ZMQ_POLLIN)) continue;
    if (krecv(k, k->shell, "shell", &m) != 0) continue;
    shell_request(k, &m);
    freemsg(&m);
  }
}

int luaml_kernel(lua_State *L, const char *connection_file) {
  kernel K;
  json_t *conn;
  json_error_t jerr;
  pthread_t control, heartbeat;
  sigset_t block, orig;
  struct sigaction sa;
  unsigned char rnd[8];
  FILE *ur;
  int i, rc = 1;
  if (loadlibs() != 0) return 1;
  memset(&K, 0, sizeof K);
  K.L = L;
  pthread_mutex_init(&K.idlock, NULL);
  conn = A.json_load_file(connection_file, 0, &jerr);
  if (conn == NULL || !json_is_object(conn)) {
    fprintf(stderr, "luaml --kernel: cannot read the connection file %s: %s\n",
            connection_file, conn ? "not a JSON object" : jerr.text);
    jfree(conn);
    return 1;
  }
  if (strcmp(cstring(conn, "signature_scheme", "hmac-sha256"), "hmac-sha256") != 0) {
    fprintf(stderr, "luaml --kernel: unsupported signature scheme %s (luaml "
            "signs with hmac-sha256)\n", cstring(conn, "signature_scheme", ""));
    jfree(conn);
    return 1;
  }
  K.key = strdup(cstring(conn, "key", ""));
  K.keylen = K.key ? strlen(K.key) : 0;
  memset(rnd, 0, sizeof rnd);
  if ((ur = fopen("/dev/urandom", "rb")) != NULL) {
    if (fread(rnd, 1, sizeof rnd, ur) != sizeof rnd) rnd[0] = (unsigned char)getpid();
    fclose(ur);
  }
  for (i = 0; i < 8; i++) sprintf(K.session + 2 * i, "%02x", rnd[i]);
  K.ctx = A.zmq_ctx_new();
  K.shell = bindsock(&K, conn, ZMQ_ROUTER, "shell_port");
  K.control = bindsock(&K, conn, ZMQ_ROUTER, "control_port");
  K.stdin_ = bindsock(&K, conn, ZMQ_ROUTER, "stdin_port");
  K.iopub = bindsock(&K, conn, ZMQ_PUB, "iopub_port");
  K.hb = bindsock(&K, conn, ZMQ_REP, "hb_port");
  jfree(conn);
  lua_pushcfunction(L, setup);
  lua_pushlightuserdata(L, &K);
  if (K.shell && K.control && K.stdin_ && K.iopub && K.hb &&
      lua_pcall(L, 1, 0, 0) != LUA_OK) {
    fprintf(stderr, "luaml --kernel: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
  } else if (K.shell && K.control && K.stdin_ && K.iopub && K.hb) {
    /* the threads block SIGINT: it comes to the main thread, which runs Lua */
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &orig);
    pthread_create(&control, NULL, control_loop, &K);
    pthread_create(&heartbeat, NULL, heartbeat_loop, &K);
    pthread_sigmask(SIG_SETMASK, &orig, NULL);
    sigK = &K;
    sa.sa_handler = onsigint;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    status(&K, NULL, "starting");
    serve(&K);
    K.quit = 1;
    pthread_join(control, NULL);
    signal(SIGINT, SIG_DFL);
    sigK = NULL;
    A.zmq_ctx_shutdown(K.ctx);  /* ends the heartbeat's proxy */
    pthread_join(heartbeat, NULL);
    K.hb = NULL;
    rc = 0;
  }
  if (K.shell) A.zmq_close(K.shell);
  if (K.control) A.zmq_close(K.control);
  if (K.stdin_) A.zmq_close(K.stdin_);
  if (K.iopub) A.zmq_close(K.iopub);
  if (K.hb) A.zmq_close(K.hb);
  A.zmq_ctx_term(K.ctx);
  free(K.key);
  pthread_mutex_destroy(&K.idlock);
  return rc;
}

/* ---- the kernelspec ----------------------------------------------------- */

/* the logos, from share/logo-*.png (tools/bin2c.lua) */
extern const unsigned char luaml_logo32[], luaml_logo64[];
extern const size_t luaml_logo32_len, luaml_logo64_len;

/* mkdir -p path; 0 or -1 (errno set) */
static int mkdirs(char *path) {
  char *p;
  for (p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST) { *p = '/'; return -1; }
    *p = '/';
  }
  return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* write len bytes to dir/name; 0 or -1 after saying why */
static int writefile(const char *dir, const char *name, const void *data, size_t len) {
  char path[4200];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "luaml --install-kernel: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* The kernelspec luaml/ (kernel.json and the logos) under the folder Jupyter
** reads: --user: the user's (JUPYTER_DATA_DIR, else XDG_DATA_HOME/jupyter,
** else ~/.local/share/jupyter); --prefix P: P/share/jupyter; none:
** /usr/local/share/jupyter.  kernel.json runs this executable (or the path
** in LUAML_KERNEL_BIN: make install with a DESTDIR). */
int luaml_install_kernel(const char *self, char **argv) {
  char dir[4096], exe[4096], json[9000], *q;
  const char *p, *bin = getenv("LUAML_KERNEL_BIN"), *env;
  ssize_t n;
  if (argv[0] == NULL) {
    snprintf(dir, sizeof dir, "/usr/local/share/jupyter/kernels/luaml");
  } else if (strcmp(argv[0], "--user") == 0 && argv[1] == NULL) {
    if ((env = getenv("JUPYTER_DATA_DIR")) != NULL && env[0])
      snprintf(dir, sizeof dir, "%s/kernels/luaml", env);
    else if ((env = getenv("XDG_DATA_HOME")) != NULL && env[0])
      snprintf(dir, sizeof dir, "%s/jupyter/kernels/luaml", env);
    else if ((env = getenv("HOME")) != NULL && env[0])
      snprintf(dir, sizeof dir, "%s/.local/share/jupyter/kernels/luaml", env);
    else {
      fprintf(stderr, "luaml --install-kernel --user: HOME is not set\n");
      return 1;
    }
  } else if (strcmp(argv[0], "--prefix") == 0 && argv[1] != NULL && argv[2] == NULL) {
    snprintf(dir, sizeof dir, "%s/share/jupyter/kernels/luaml", argv[1]);
  } else {
    fprintf(stderr, "usage: %s --install-kernel [--user | --prefix P]\n", self);
    return 1;
  }
  if (bin != NULL && bin[0]) {
    snprintf(exe, sizeof exe, "%s", bin);
  } else if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
    exe[n] = '\0';
  } else {
    snprintf(exe, sizeof exe, "luaml");
  }
  if (mkdirs(dir) != 0) {
    fprintf(stderr, "luaml --install-kernel: cannot create %s: %s%s\n", dir,
            strerror(errno), errno == EACCES ? " (try --user)" : "");
    return 1;
  }
  q = json + snprintf(json, sizeof json, "{\n  \"argv\": [\"");
  for (p = exe; *p && q < json + sizeof json - 200; p++) {  /* a JSON string */
    if (*p == '"' || *p == '\\') *q++ = '\\';
    *q++ = *p;
  }
  snprintf(q, (size_t)(json + sizeof json - q),
           "\", \"--kernel\", \"{connection_file}\"],\n"
           "  \"display_name\": \"luaml\",\n"
           "  \"language\": \"lua\",\n"
           "  \"interrupt_mode\": \"signal\",\n"
           "  \"metadata\": {\"luaml_version\": \"%s\"}\n}\n", LUAML_VERSION);
  if (writefile(dir, "kernel.json", json, strlen(json)) != 0 ||
      writefile(dir, "logo-32x32.png", luaml_logo32, luaml_logo32_len) != 0 ||
      writefile(dir, "logo-64x64.png", luaml_logo64, luaml_logo64_len) != 0)
    return 1;
  printf("installed the luaml kernel in %s\n", dir);
  return 0;
}
