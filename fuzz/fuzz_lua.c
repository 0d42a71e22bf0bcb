/*
** fuzz_lua.c -- libFuzzer harness for luaml's Lua API, attacking the
** sandbox as a hostile script would.
**
** The input decodes into a short program over eight variables V[1..8] and
** a table T that functions receive: byte 0 chooses the state (bit 0: with
** or without the sandbox; always with a 64 MB memory limit, 10^5
** instructions and 50 ms per step, made by luaml_newstate); each step is a
** template (constructors, views, broadcasting arithmetic, in-place ops,
** reductions, dot, reshape/slice/take, linear algebra, ML losses,
** printing, closing, saving and loading, a call of any function or
** method of the module by name with random arguments, and the hostile
** ones: finalizers (__gc) and __close handlers that swap or drop the
** elements of T and V while a function reads them, __index/__len tables,
** coroutines, aggressive collector settings, runaway loops in scripts,
** finalizers and coroutines, unbounded string.rep / table.move /
** patterns, writes to the matrix metatable, warnings) whose holes take
** variables, small (sometimes absurd) shapes, indices, axes and scalars
** from the following bytes.  Each step runs as its own chunk under
** luaml_pcall, so errors (expected: misuse is an error, a limit is an
** error) do not stop the program.  Finds: any crash or sanitizer report,
** a hang (the limits must end every step), and these checks:
**   - an error value is a non-empty string;
**   - every matrix in V addresses only its storage (each corner element
**     of the view lies inside the owner's userdata block);
**   - after every step the state still runs `return 6 * 7` through plain
**     lua_pcall (a limit's fault must not stick to the state);
**   - lua_close returns (finalizers included) and leaks nothing (LSan).
** FUZZ_VERBOSE=1 prints the program, which is how a find becomes a
** regression spec.  FUZZ_MEMORY_ONLY=1 leaves out the runaway templates
** and the usability check: memory safety alone, for a build whose limits
** are known not to hold.  FUZZ_SKIP=TEXT leaves out the templates that
** contain TEXT (unset or empty: none).
** V starts with a few matrices of different shapes
** (and views, and a number).
*/
#include "fuzz_common.h"

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#include "luaml.h"
#include "core_ops.h"  /* the operations' names */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEMLIMIT (64u << 20)
#define ILIMIT 100000  /* a runaway step ends in ~10 ms under ASan */
#define TLIMIT 0.05    /* seconds per step */
#define MAXSTEPS 48

static const char *const templates[] = {
  /* constructors */
  "V[%a] = ml.zeros(%r, %r)", "V[%a] = ml.ones(%r, %r)",
  "V[%a] = ml.full(%r, %r, %s)", "V[%a] = ml.eye(%r, %r)",
  "V[%a] = ml.rand(%r, %r)", "V[%a] = ml.randn(%r, %r)",
  "V[%a] = ml.arange(%i, %i)", "V[%a] = ml.arange(%s, %s, %s)",
  "V[%a] = ml.linspace(%s, %s, %r)", "V[%a] = ml.matrix{{%s, %s}, {%s, %s}}",
  "V[%a] = ml.matrix{%s, %s, %s}", "V[%a] = ml.matrix(V[%b])",
  "V[%a] = ml.matrix{{%s}, {%s, %s}}", "V[%a] = ml.matrix{}",
  "V[%a] = ml.hstack{V[%b], V[%c]}", "V[%a] = ml.vstack{V[%b], V[%c], %s}",
  "V[%a] = ml.permutation(%r)", "V[%a] = %s", "ml.seed(%i)",
  /* views and copies */
  "V[%a] = V[%b]:T()", "V[%a] = V[%b]:slice(%i, %i)",
  "V[%a] = V[%b]:slice(%i, %i, %i, %i)", "V[%a] = V[%b]:row(%i)",
  "V[%a] = V[%b]:col(%i)", "V[%a] = V[%b]:reshape(%i, %i)",
  "V[%a] = V[%b]:reshape(%i)", "V[%a] = V[%b]:copy()",
  "V[%a] = V[%b]:contiguous()", "V[%a] = V[%b]:take(V[%c], %x)",
  "V[%a] = V[%b]:take({%i, %i}, %x)",
  /* arithmetic, broadcasting, in place */
  "V[%a] = V[%b] + V[%c]", "V[%a] = V[%b] - V[%c]", "V[%a] = V[%b] * V[%c]",
  "V[%a] = V[%b] / V[%c]", "V[%a] = V[%b] ^ V[%c]", "V[%a] = V[%b] %% V[%c]",
  "V[%a] = V[%b] // V[%c]", "V[%a] = -V[%b]", "V[%a] = V[%b] + %s",
  "V[%a] = %s * V[%b]", "V[%a] = %s - V[%b]",
  "V[%a] = ml.%n(V[%b], V[%c])", "V[%a] = ml.%n(V[%b], V[%c], V[%a])",
  "V[%a]:%n_(V[%b])", "V[%a]:add_(V[%b], %s)", "V[%a]:sub_(V[%b], %s)",
  "V[%a]:%n_(%s)",
  "V[%a] = ml.%u(V[%b])", "V[%a] = ml.%u(V[%b], V[%c])", "V[%a]:%u_()",
  "V[%a] = ml.clip(V[%b], %s, %s)", "V[%a]:clip_(%s, %s)",
  "V[%b]:fill_(%s)", "V[%b]:copy_(V[%c])",
  /* reductions */
  "V[%a] = ml.%d(V[%b])", "V[%a] = ml.%d(V[%b], %x)",
  "V[%a] = ml.%d(V[%b], {axis = %x, ddof = %s})",
  "V[%a] = ml.var(V[%b], %x, %s)", "V[%a] = ml.cumsum(V[%b], %x)",
  /* products and linear algebra */
  "V[%a] = ml.dot(V[%b], V[%c])", "V[%a] = ml.dot(V[%b], V[%c], V[%a])",
  "V[%a] = V[%b]:dot(V[%c]:T())", "V[%a] = ml.outer(V[%b], V[%c])",
  "V[%a] = ml.inner(V[%b], V[%c])", "V[%a] = ml.solve(V[%b], V[%c])",
  "V[%a] = ml.inv(V[%b])", "V[%a] = ml.det(V[%b])",
  "V[%a] = ml.cholesky(V[%b])", "V[%a], V[%b] = ml.eigh(V[%c])",
  "V[%a], V[%b], V[%c] = ml.svd(V[%a])",
  "V[%a], V[%b], V[%c] = ml.lstsq(V[%a], V[%b], %s)",
  "V[%a] = ml.pinv(V[%b], %s)",
  "V[%a] = V[%b]:T():dot(V[%b]) + ml.eye(V[%b].cols)",
  /* ML */
  "V[%a] = ml.softmax(V[%b], %x)", "V[%a] = ml.log_softmax(V[%b], %x, V[%c])",
  "V[%a] = ml.one_hot(V[%b], %r)", "V[%a] = ml.one_hot(V[%b])",
  "V[%a] = ml.binary_cross_entropy(V[%b], V[%c])",
  "V[%a] = ml.cross_entropy(V[%b], V[%c])",
  "V[%a], V[%c] = ml.softmax_cross_entropy(V[%b], V[%c], true)",
  "V[%a] = ml.softmax_cross_entropy(V[%b], V[%c], V[%a])",
  "V[%a] = ml.mse(V[%b], V[%c])", "V[%a] = ml.r2(V[%b], V[%c])",
  "V[%a] = ml.accuracy(V[%b], V[%c])",
  "V[%a] = V[%b]:argmax(2) - 1",
  /* element access */
  "V[%a] = V[%b]:get(%i, %i)", "V[%b]:set(%i, %i, %s)", "V[%a] = V[%b](%i)",
  "V[%a] = V[%b][%i]", "V[%b][%i] = %s", "V[%a] = #V[%b]",
  "V[%a] = V[%b]:size()", "V[%a] = V[%b].rows + V[%b].cols",
  "V[%a] = V[%b] == V[%c]", "V[%a] = V[%b]:totable()",
  "V[%a] = ml.matrix(V[%b]:totable())",
  /* printing and lifetime */
  "V[%a] = tostring(V[%b])", "V[%a] = V[%b] .. V[%c]",
  "V[%b]:close()", "do local t <close> = V[%b] end", "collectgarbage()",
  "collectgarbage('step')", "V[%a] = ml.ismatrix(V[%b])",
  /* files: P is a scratch file */
  "ml.save_npy(V[%b], P); V[%a] = ml.load_npy(P)",
  "ml.save_csv(V[%b], P); V[%a] = ml.load_csv(P)",
  "V[%b]:save_csv(P, {delimiter = ';'}); V[%a] = ml.load_csv(P, {delimiter = ';', header = false})",
  /* anything the module offers, by name, with random arguments */
  "V[%a] = ml[F[%f]](%v, %v, %v)", "V[%a] = V[%b][M[%m]](V[%b], %v, %v)",
  /* hostile: a table that changes while a function reads it */
  "T = {V[%b], V[%c], V[%a]}", "T = {ml.zeros(1, %R), ml.zeros(1, 1), %s}",
  "T = {ml.zeros(%R, 1), ml.ones(1, 1)}", "T = {{%s, %s}, {%s, %s}}",
  "T[%t] = V[%b]", "T[%t] = nil", "T[%t] = %s", "T[%t] = {%s, %s}",
  "T[%t] = 'x'", "T = {%s, V[%b], {%s}}",
  "setmetatable({}, {__gc = function() T[%t] = ml.ones(%R, %R) end})",
  "setmetatable({}, {__gc = function() T[%t] = ml.zeros(%R, %R) end}); V[%a] = nil",
  "setmetatable({}, {__gc = function() T[%t] = nil; V[%a] = nil end})",
  "setmetatable({}, {__gc = function() for k in pairs(T) do T[k] = %s end end})",
  "setmetatable({}, {__gc = function() V[%a] = ml.%u(V[%b]) end})",
  "setmetatable({}, {__gc = function() V[%b]:close() end})",
  "setmetatable({}, {__gc = function() collectgarbage() end})",
  "setmetatable({}, {__gc = function() error('in gc') end})",
  "!setmetatable({}, {__gc = function() while true do end end})",
  "!setmetatable({}, {__gc = function() local s = string.rep('x', %I) end})",
  "collectgarbage('incremental', %p, %p)", "collectgarbage('generational')",
  "collectgarbage('incremental')",
  "V[%a] = ml.hstack(T)", "V[%a] = ml.vstack(T)", "V[%a] = ml.matrix(T)",
  /* the whole attack in one step: a finalizer that swaps an element of
  ** the table a function reads, pending when the function allocates */
  "local t = {ml.zeros(%R, %R), ml.zeros(%R, %R)}; setmetatable({}, {__gc = function() t[%t] = ml.ones(%R, %R) end}); V[%a] = ml.%S(t)",
  "local t = {ml.zeros(1, %R), ml.zeros(1, %R)}; setmetatable({}, {__gc = function() t[%t] = ml.ones(1, %R) end}); V[%a] = ml.hstack(t)",
  "local t = {ml.zeros(%R, 1), ml.zeros(%R, 1)}; setmetatable({}, {__gc = function() t[%t] = ml.ones(%R, 1) end}); V[%a] = ml.vstack(t)",
  "local t = {V[%b], V[%c], ml.zeros(%R, %R)}; setmetatable({}, {__gc = function() t[%t] = %s end}); V[%a] = ml[F[%f]](t, %v)",
  "V[%a] = ml[F[%f]](T, %v)", "V[%a] = ml[F[%f]](V[%b], T)",
  "V[%a] = V[%b][M[%m]](V[%b], T, %v)", "V[%a] = V[%b]:take(T, %x)",
  "T = setmetatable({V[%b], V[%c]}, {__index = function(t, k) collectgarbage() return V[%a] end, __len = function() return %i end})",
  "T = setmetatable({}, {__index = function(t, k) T[%t] = ml.ones(%R, %R); collectgarbage() return %s end})",
  "do local x <close> = setmetatable({}, {__close = function() T[%t] = ml.ones(%R, %R); collectgarbage() end}); V[%a] = ml.hstack(T) end",
  "!do local x <close> = setmetatable({}, {__close = function() while true do end end}) end",
  /* hostile: coroutines */
  "C = coroutine.wrap(function() while true do V[%a] = ml.%u(V[%b]); coroutine.yield() end end)",
  "pcall(C)", "pcall(C); pcall(C)",
  "!C = coroutine.wrap(function() while true do end end)",
  "!for i = 1, %I do pcall(coroutine.wrap(function() while true do end end)) end",
  "V[%a] = coroutine.wrap(function() return ml.hstack(T) end)()",
  "local co = coroutine.create(function() V[%a] = ml.vstack(T); coroutine.yield() end); coroutine.resume(co); V[%b] = coroutine.close(co)",
  /* hostile: runaway work in one step */
  "!while true do end", "!pcall(function() while true do end end)",
  "!while true do pcall(error) end", "!local t = {} while true do t[#t + 1] = {} end",
  "!V[%a] = #string.rep('ab', %I)", "!V[%a] = #string.rep('', %I)",
  "!V[%a] = #string.rep('x', %I, ',')", "!table.move({}, 1, %I, 1, {})",
  "!V[%a] = string.find(string.rep('a', %R), '(.-)(.-)(.-)(.-)(.-)b')",
  "!V[%a] = string.format('%%099d', 1):rep(%I)",
  "!V[%a] = table.concat(setmetatable({}, {__len = function() return %I end}))",
  "!V[%a] = ml.svd(ml.rand(%L, %L))", "!V[%a] = ml.inv(ml.rand(%L, %L))",
  "!V[%a] = ml.rand(%L, %L):dot(ml.rand(%L, %L))",
  "!for i = 1, %I do V[%a] = ml.%u(V[%b]) end",
  /* hostile, the attack with every hole meaningful: a finalizer pending
  ** when the function allocates (its result, or a converted element)
  ** grows a checked element along the stacking axis, swaps it for a
  ** value of another type, or lengthens a row of a table of rows */
  "local r, c = %Z; local k = %k; local t = {ml.zeros(r, c), ml.zeros(r, %t)}; setmetatable({}, {__gc = function() t[k] = ml.ones(r, t[k].cols + %g // r + 16) end}); V[%a] = ml.hstack(t)",
  "local c, r = %Z; local k = %k; local t = {ml.zeros(r, c), ml.zeros(%t, c)}; setmetatable({}, {__gc = function() t[k] = ml.ones(t[k].rows + %g // c + 16, c) end}); V[%a] = ml.vstack(t)",
  "local r, c = %Z; local k = %k; local t = {ml.zeros(r, c), ml.zeros(r, c)}; setmetatable({}, {__gc = function() t[k] = %W end}); V[%a] = ml.%H(t)",
  "local r, c = %Z; local k = %k; local t = {ml.zeros(r, c), ml.zeros(r, c)}; setmetatable({}, {__gc = function() t[k] = %W end}); V[%a] = ml[F[%f]](t, %v)",
  "local r, c = %Z; local k = %k; local t = ml.zeros(r, c):totable(); setmetatable({}, {__gc = function() t[k] = ml.full(1, #t[k] + %g // r + 16, %s):totable()[1] end}); V[%a] = ml.matrix(t)",
  "local k = %k; local t = {{%s, %s}, {%s, %s}}; setmetatable({}, {__gc = function() t[k] = %W end}); V[%a] = ml[F[%f]](t, %v)",
  /* hostile: the sandbox */
  "getmetatable(V[%b]).__index = nil", "getmetatable(V[%b]).__gc = nil",
  "setmetatable(V[%b], {})", "debug = nil; V[%a] = package and package.searchpath",
  "warn('@on'); warn('x')", "V[%a] = require(%s)",
  /* pattern matching (lpattern.c): callbacks that collect and match
  ** again, a gmatch iterator resumed across coroutines, runaway patterns */
  "V[%a] = select(2, string.rep('ab(c)', %R):gsub('%%b()', function(c) collectgarbage(); return c:gsub('.', {c = %s}) end))",
  "local it = string.gmatch(string.rep('a b ', %R), '%%a+'); C = coroutine.wrap(function() for w in it do collectgarbage(); coroutine.yield(w) end end)",
  "!V[%a] = string.rep('a', %R):match(string.rep('a*', 25) .. 'b')",
  "!V[%a] = string.rep('x', %R):gsub('x', function() while true do end end)",
  "!V[%a] = string.find(string.rep('a', %R), string.rep('a', %R) .. 'b', 1, true)",
};
#define NTEMPLATES (sizeof templates / sizeof templates[0])

static const char *const dims[] = {
  "0", "1", "2", "3", "4", "5", "1", "2", "3", "2", "3", "7", "16",
  "-1", "2.5", "2^31", "1e12", "1/0", "'2'", "nil",
  /* valid when the other side is 0, and their sums or products overflow */
  "1500000000", "2147483647", "65536"
};
static const char *const idxs[] = {
  "1", "2", "3", "-1", "-2", "0", "4", "5", "1", "2", "-1", "100", "-100",
  "1.5", "2^53", "math.mininteger", "math.maxinteger", "0/0", "nil", "'1'"
};
static const char *const scalars[] = {
  "0", "1", "-1", "0.5", "2", "3", "-2.5", "0/0", "1/0", "-1/0", "1e308",
  "-0.0", "1e-310", "100", "2^63", "1", "0", "2"
};
static const char *const bigdims[] = {  /* sizes for T and the finalizers */
  "1", "3", "1000", "600000", "1000000", "2", "0"
};
static const char *const counts[] = {  /* runaway counts */
  "1e6", "1e12", "math.maxinteger", "2^31", "1e9", "100"
};
/* the first elements of a table under attack: large enough that the
** result's allocation runs the collector (and the finalizer), small
** enough for the memory limit */
static const char *const attackshapes[] = {  /* rows, cols (hstack) */
  "1, 600000", "2, 300000", "1000, 1000", "3, 200000", "1, 500000",
  "600, 1000"
};
static const char *const growths[] = { "16", "1000", "100000", "1000000" };
static const char *const swapins[] = {  /* what a finalizer puts there */
  "nil", "'x'", "{}", "2", "ml.ones(1, 1000000)", "ml.ones(1000000, 1)",
  "ml.ones(1000, 1000)", "{1, 2, 3}", "ml.zeros(0, 0)", "true"
};
static const char *const linsizes[] = { "2", "50", "300", "1300", "2000" };
static const char *const pauses[] = { "0", "1", "10", "50", "100", "1000" };
static const char *const tablefns[] = { "hstack", "vstack", "matrix" };
static const char *const axes[] = {
  "nil", "1", "2", "1", "2", "0", "3", "-1", "1.5", "'x'"
};
/* the operations' names, from the one list (src/core_ops.h) */
#define OPNAME(E, name, lname, ...) lname,
#define REDNAME(E, lname, ...) lname,
static const char *const unops[] = {LM_UNOPS(OPNAME)};
static const char *const binops[] = {LM_BINOPS(OPNAME)};
static const char *const redops[] = {LM_REDOPS(REDNAME)};
#define N(a) (sizeof a / sizeof a[0])

/* the names of the module's functions (F) and of the matrix methods (M),
** sorted, leaving out those that write files under names they are given */
static const char prelude[] =
  "local ml = ...\n"
  "local function names(t)\n"
  "  local r = {}\n"
  "  for k, v in pairs(t) do\n"
  "    if type(v) == 'function' and not k:find('save') and not k:find('plot')\n"
  "       and not k:find('write') then r[#r + 1] = k end\n"
  "  end\n"
  "  table.sort(r)\n"
  "  return r\n"
  "end\n"
  "F = names(ml)\n"
  "M = names(M)\n"
  "ml.seed(1)\n"
  "V = {ml.ones(2, 3), ml.randn(3, 3), ml.zeros(0, 3), ml.matrix{1, 2, 3},\n"
  "     ml.matrix{{1}, {0}, {1}}, 1.5, ml.eye(3):T(), ml.randn(4, 2):slice(2, 3)}\n"
  "T = {V[1], V[2], V[4]}\n";

typedef struct reader { const uint8_t *p, *e; } reader;

static unsigned byte(reader *r) { return r->p < r->e ? *r->p++ : 0; }

/* Expand one template into buf.  A leading '!' marks a template that
** only limits can end (runaway work). */
static void expand(reader *rd, const char *t, char *buf, size_t n) {
  size_t k = 0;
  if (*t == '!') t++;
  for (; *t && k + 64 < n; t++) {
    unsigned b;
    if (*t != '%') { buf[k++] = *t; continue; }
    t++;
    if (*t == '%') { buf[k++] = '%'; continue; }
    b = byte(rd);
    switch (*t) {
    case 'a': case 'b': case 'c':
      k += (size_t)snprintf(buf + k, n - k, "%u", b % 8 + 1); break;
    case 'r': k += (size_t)snprintf(buf + k, n - k, "%s", dims[b % N(dims)]); break;
    case 'i': k += (size_t)snprintf(buf + k, n - k, "%s", idxs[b % N(idxs)]); break;
    case 's': k += (size_t)snprintf(buf + k, n - k, "%s", scalars[b % N(scalars)]); break;
    case 'x': k += (size_t)snprintf(buf + k, n - k, "%s", axes[b % N(axes)]); break;
    case 'u': k += (size_t)snprintf(buf + k, n - k, "%s", unops[b % N(unops)]); break;
    case 'n': k += (size_t)snprintf(buf + k, n - k, "%s", binops[b % N(binops)]); break;
    case 'd': k += (size_t)snprintf(buf + k, n - k, "%s", redops[b % N(redops)]); break;
    case 'f': k += (size_t)snprintf(buf + k, n - k, "%u %% #F + 1", b); break;
    case 'm': k += (size_t)snprintf(buf + k, n - k, "%u %% #M + 1", b); break;
    case 't': k += (size_t)snprintf(buf + k, n - k, "%u", b % 4 + 1); break;
    case 'R': k += (size_t)snprintf(buf + k, n - k, "%s", bigdims[b % N(bigdims)]); break;
    case 'I': k += (size_t)snprintf(buf + k, n - k, "%s", counts[b % N(counts)]); break;
    case 'L': k += (size_t)snprintf(buf + k, n - k, "%s", linsizes[b % N(linsizes)]); break;
    case 'p': k += (size_t)snprintf(buf + k, n - k, "%s", pauses[b % N(pauses)]); break;
    case 'S': k += (size_t)snprintf(buf + k, n - k, "%s", tablefns[b % N(tablefns)]); break;
    case 'Z': k += (size_t)snprintf(buf + k, n - k, "%s", attackshapes[b % N(attackshapes)]); break;
    case 'H': k += (size_t)snprintf(buf + k, n - k, "%s", tablefns[b % 2]); break;
    case 'k': k += (size_t)snprintf(buf + k, n - k, "%u", b % 2 + 1); break;
    case 'g': k += (size_t)snprintf(buf + k, n - k, "%s", growths[b % N(growths)]); break;
    case 'W': k += (size_t)snprintf(buf + k, n - k, "%s", swapins[b % N(swapins)]); break;
    case 'v':  /* a variable, a scalar, a table or nil */
      if (b < 160) k += (size_t)snprintf(buf + k, n - k, "V[%u]", b % 8 + 1);
      else if (b < 220) k += (size_t)snprintf(buf + k, n - k, "%s", scalars[b % N(scalars)]);
      else if (b < 240) k += (size_t)snprintf(buf + k, n - k, "{axis = %s}", axes[b % N(axes)]);
      else k += (size_t)snprintf(buf + k, n - k, "nil");
      break;
    default: abort();  /* a bad template */
    }
  }
  buf[k] = '\0';
}

/* every matrix in V addresses only its own storage */
static void check_views(lua_State *L) {
  int k;
  lua_getglobal(L, "V");
  for (k = 1; k <= 8; k++) {
    luaml_matrix *m;
    lua_rawgeti(L, -1, k);
    m = luaml_tomatrix(L, -1);
    if (m != NULL && m->rows > 0 && m->cols > 0) {
      const char *lo, *hi;
      int c;
      if (lua_getiuservalue(L, -1, 1) == LUA_TUSERDATA) {
        lo = (const char *)lua_touserdata(L, -1);
        hi = lo + lua_rawlen(L, -1);
      } else {
        lo = (const char *)lua_touserdata(L, -2);
        hi = lo + lua_rawlen(L, -2);
      }
      lua_pop(L, 1);
      for (c = 0; c < 4; c++) {
        ptrdiff_t i = (c & 1) ? m->rows - 1 : 0, j = (c & 2) ? m->cols - 1 : 0;
        const char *p = (const char *)(m->data + i * m->rs + j * m->cs);
        if (p < lo || p + sizeof(double) > hi) {
          fprintf(stderr, "V[%d]: a %dx%d view (strides %td, %td) reaches "
                  "outside its storage\n", k, m->rows, m->cols, m->rs, m->cs);
          abort();
        }
      }
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* The state must still work after a step, whatever the step did: a
** plain lua_pcall (no luaml_pcall to renew anything) of a small chunk. */
static void check_usable(lua_State *L, const char *code) {
  if (luaL_loadstring(L, "return 6 * 7") != LUA_OK ||
      lua_pcall(L, 0, 1, 0) != LUA_OK || lua_tointeger(L, -1) != 42) {
    fprintf(stderr, "after '%s' the state no longer runs code: %s\n", code,
            lua_tostring(L, -1));
    abort();
  }
  lua_pop(L, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int verbose = -1, memonly = -1;
  static const char *skip = NULL;
  luaml_options o = {0};
  reader rd;
  lua_State *L;
  char code[1024];
  int steps;
  if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
  if (memonly < 0) {
    memonly = getenv("FUZZ_MEMORY_ONLY") != NULL;
    skip = getenv("FUZZ_SKIP");
    if (skip != NULL && *skip == '\0') skip = NULL;
  }
  rd.p = data;
  rd.e = data + size;
  o.sandbox = (int)(byte(&rd) & 1);
  o.memory_limit = MEMLIMIT;
  o.instruction_limit = ILIMIT;
  o.time_limit = TLIMIT;
  if (verbose) fprintf(stderr, "-- sandbox %d\n", o.sandbox);
  L = luaml_newstate(&o);
  if (L == NULL) abort();
  lua_getglobal(L, "ml");
  lua_pushstring(L, fuzz_file((const uint8_t *)"", 0));
  lua_setglobal(L, "P");
  luaL_getmetatable(L, "luaml.matrix");  /* the methods, from C: a script */
  lua_getfield(L, -1, "__methods");      /* cannot reach the metatable */
  lua_setglobal(L, "M");
  lua_pop(L, 1);
  if (luaL_loadstring(L, prelude) != LUA_OK) abort();
  lua_insert(L, -2);  /* the prelude gets the module */
  if (luaml_pcall(L, 1, 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (msg != NULL && strstr(msg, "time limit exceeded") != NULL) {
      lua_close(L);  /* a loaded machine: wall time, not a find */
      return 0;
    }
    fprintf(stderr, "prelude: %s\n", msg);
    abort();
  }
  for (steps = 0; rd.p < rd.e && steps < MAXSTEPS; steps++) {
    int st;
    const char *t = templates[byte(&rd) % NTEMPLATES];
    if (memonly && t[0] == '!') continue;
    if (skip != NULL && strstr(t, skip) != NULL) continue;
    expand(&rd, t, code, sizeof code);
    if (verbose) fprintf(stderr, "%s\n", code);
    if (luaL_loadstring(L, code) != LUA_OK) {
      fprintf(stderr, "template does not compile: %s\n", lua_tostring(L, -1));
      abort();
    }
    st = luaml_pcall(L, 0, 0);
    if (st != LUA_OK) {
      size_t len = 0;
      const char *msg = lua_tolstring(L, -1, &len);
      if (verbose) fprintf(stderr, "  -> error: %.200s\n", msg ? msg : "(not a string)");
      if (msg == NULL || len == 0) {
        fprintf(stderr, "step '%s' raised a %s, not a message\n", code,
                luaL_typename(L, -1));
        abort();
      }
      lua_pop(L, 1);
    }
    check_views(L);
    if (!memonly) check_usable(L, code);
  }
  lua_close(L);
  return 0;
}
