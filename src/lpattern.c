/*
** lpattern.c -- Lua's pattern matching (string.find, match, gmatch and
** gsub) with a step count, for the states that have an instruction_limit
** or a time_limit (luaml.c installs these functions there).
**
** Stock Lua matches a pattern in one C call that no hook interrupts: a
** pattern with many `a*`/`.-` items backtracks for hours on a few KB.
** Here every step of the matcher (an attempt of a pattern item at a
** position, a character scanned by a repetition, %b or a plain search) is
** counted, and every STEPS_CHUNK steps the chunk is charged to the call's
** budget (lmL_charge, which also checks time_limit and raises the limit's
** error); the rest at the end of each call, without reading the clock.  The semantics are those of the Lua 5.4 manual, section 6.4.1,
** and the errors those of Lua 5.4's string library, message for message:
** the specs compare both on generated subjects and patterns, and `make
** lua-testes` runs Lua's own pm.lua and strings.lua with these functions.
**
** The matcher works on the subject and pattern held by the calling
** function's stack (arguments 1 and 2; gmatch's closure keeps them as
** upvalues), so a gsub replacement function that runs Lua code (and the
** collector) cannot free them.  All state is on the C stack (or in
** gmatch's userdata), so the functions are re-entrant: a replacement
** function may match again, in any coroutine.
*/
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "lbind.h"

#define ESC '%'
#define SPECIALS "^$*+?.([%-"
#define MAXDEPTH 200        /* nested matches (C recursion), as Lua's MAXCCALLS */
#define MAXCAPTURES 32      /* as Lua's LUA_MAXCAPTURES */
#define CAP_OPEN (-1)       /* a capture whose ')' is not reached yet */
#define CAP_POS (-2)        /* a position capture `()` */

/* Steps charged at once, and steps per instruction of the budget: one
** step costs about what a VM instruction does (a few ns) */
#define STEPS_CHUNK 4096
#define STEPS_PER_INSTR 2.0

typedef struct Matcher {
  lua_State *L;
  const char *s0, *send;  /* the subject, its end */
  const char *pend;       /* the pattern's end */
  long left;              /* steps before the next charge */
  int depth;              /* nested matches left before "too complex" */
  int ncap;               /* captures opened so far */
  struct { const char *at; ptrdiff_t len; } cap[MAXCAPTURES];
} Matcher;

/* ---- the step count ----------------------------------------------------- */

/* charge the steps taken since the last charge (may raise a limit) */
static void charge(Matcher *m) {
  lmL_charge(m->L, (double)(STEPS_CHUNK - m->left) / STEPS_PER_INSTR);
  m->left = STEPS_CHUNK;
}

/* charge the steps taken since the last charge, the clock unread: at
** the end of a call (a loop of short calls is paid for, and the count
** hook checks the time) */
static void settle(Matcher *m) {
  lmL_chargecount(m->L, (double)(STEPS_CHUNK - m->left) / STEPS_PER_INSTR);
  m->left = STEPS_CHUNK;
}

/* count n steps */
#define STEPS(m, n) do { if (((m)->left -= (long)(n)) <= 0) charge(m); } while (0)

static void begin(Matcher *m, lua_State *L, const char *s, size_t ls,
                  const char *p, size_t lp) {
  m->L = L;
  m->s0 = s;
  m->send = s + ls;
  m->pend = p + lp;
  m->left = STEPS_CHUNK;
  m->depth = MAXDEPTH;
  m->ncap = 0;
}

/* ---- single characters and classes -------------------------------------- */

/* does c belong to class %k (k a letter: %a, %D...; else k itself)? */
static int inclass(int c, int k) {
  int r;
  switch (tolower(k)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    case 'z': r = c == 0; break;
    default: return k == c;
  }
  if (isupper(k)) return !r;
  return r != 0;
}

/* The end of the single-character class at p (just after it): `%x`,
** `[set]` or one character.  Raises on a malformed class. */
static const char *classend(Matcher *m, const char *p) {
  if (*p == ESC) {
    if (p + 1 >= m->pend) luaL_error(m->L, "malformed pattern (ends with '%%')");
    return p + 2;
  }
  if (*p++ != '[') return p;
  if (*p == '^') p++;
  do {  /* the first character is part of the set, even a ']' */
    if (p >= m->pend) luaL_error(m->L, "malformed pattern (missing ']')");
    if (*p++ == ESC && p < m->pend) p++;
  } while (*p != ']');
  return p + 1;
}

/* does c belong to the set [..] from p (its '[') to last (its ']')? */
static int inset(int c, const char *p, const char *last) {
  int yes = 1;
  if (p[1] == '^') {
    yes = 0;
    p++;
  }
  for (p++; p < last; p++) {
    if (*p == ESC) {
      p++;
      if (inclass(c, (unsigned char)*p)) return yes;
    } else if (p[1] == '-' && p + 2 < last) {
      if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return yes;
      p += 2;
    } else if ((unsigned char)*p == c) {
      return yes;
    }
  }
  return !yes;
}

/* does the subject's character at s match the class p..ep? */
static int single(const Matcher *m, const char *s, const char *p, const char *ep) {
  int c;
  if (s >= m->send) return 0;
  c = (unsigned char)*s;
  switch (*p) {
    case '.': return 1;
    case ESC: return inclass(c, (unsigned char)p[1]);
    case '[': return inset(c, p, ep - 1);
    default: return (unsigned char)*p == c;
  }
}

/* ---- the matcher -------------------------------------------------------- */

static const char *domatch(Matcher *m, const char *s, const char *p);

/* %bxy at s (p points at x): the end of the balanced run, or NULL */
static const char *balanced(Matcher *m, const char *s, const char *p) {
  const char *t;
  int open, close, n = 1;
  if (p + 1 >= m->pend) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= m->send || *s != *p) return NULL;
  open = *p;
  close = p[1];
  for (t = s + 1; t < m->send; t++) {
    if (*t == close) {
      if (--n == 0) break;
    } else if (*t == open) {
      n++;
    }
  }
  STEPS(m, t - s);
  return t < m->send ? t + 1 : NULL;
}

/* the item p..ep repeated as often as it matches at s, then fewer and
** fewer times until the rest of the pattern (ep + 1) matches */
static const char *greedy(Matcher *m, const char *s, const char *p, const char *ep) {
  ptrdiff_t n = 0;
  while (single(m, s + n, p, ep)) n++;
  STEPS(m, n);
  for (; n >= 0; n--) {
    const char *r = domatch(m, s + n, ep + 1);
    if (r != NULL) return r;
  }
  return NULL;
}

/* the item p..ep repeated as few times as the rest of the pattern allows */
static const char *lazy(Matcher *m, const char *s, const char *p, const char *ep) {
  for (;;) {
    const char *r = domatch(m, s, ep + 1);
    if (r != NULL) return r;
    if (!single(m, s, p, ep)) return NULL;
    s++;
  }
}

/* open a capture at s (len CAP_OPEN or CAP_POS) and match the rest */
static const char *opencap(Matcher *m, const char *s, const char *p, ptrdiff_t len) {
  const char *r;
  if (m->ncap >= MAXCAPTURES) luaL_error(m->L, "too many captures");
  m->cap[m->ncap].at = s;
  m->cap[m->ncap].len = len;
  m->ncap++;
  r = domatch(m, s, p);
  if (r == NULL) m->ncap--;
  return r;
}

/* close the innermost open capture at s and match the rest */
static const char *closecap(Matcher *m, const char *s, const char *p) {
  const char *r;
  int k = m->ncap - 1;
  while (k >= 0 && m->cap[k].len != CAP_OPEN) k--;
  if (k < 0) luaL_error(m->L, "invalid pattern capture");
  m->cap[k].len = s - m->cap[k].at;
  r = domatch(m, s, p);
  if (r == NULL) m->cap[k].len = CAP_OPEN;
  return r;
}

/* %1-%9 (digit d) at s: the end of the capture's copy there, or NULL */
static const char *backref(Matcher *m, const char *s, int d) {
  int k = d - '1';
  size_t len;
  if (k < 0 || k >= m->ncap || m->cap[k].len == CAP_OPEN)
    luaL_error(m->L, "invalid capture index %%%d", k + 1);
  len = (size_t)m->cap[k].len;  /* a position capture compares as huge */
  if ((size_t)(m->send - s) < len || memcmp(m->cap[k].at, s, len) != 0) return NULL;
  STEPS(m, len);
  return s + len;
}

/* Match pattern p at subject position s: the end of the match, or NULL.
** Items that end the pattern's work at this level loop (tail calls);
** the others recurse, at most MAXDEPTH deep. */
static const char *domatch(Matcher *m, const char *s, const char *p) {
  if (m->depth-- == 0) luaL_error(m->L, "pattern too complex");
  for (;;) {
    const char *ep;
    STEPS(m, 1);
    if (p == m->pend) break;
    if (*p == '(') {
      s = p[1] == ')' ? opencap(m, s, p + 2, CAP_POS) : opencap(m, s, p + 1, CAP_OPEN);
      break;
    }
    if (*p == ')') {
      s = closecap(m, s, p + 1);
      break;
    }
    if (*p == '$' && p + 1 == m->pend) {
      if (s != m->send) s = NULL;
      break;
    }
    if (*p == ESC && p[1] == 'b') {
      s = balanced(m, s, p + 2);
      if (s == NULL) break;
      p += 4;
      continue;
    }
    if (*p == ESC && p[1] == 'f') {
      int before;
      p += 2;
      if (*p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
      ep = classend(m, p);
      before = s == m->s0 ? 0 : (unsigned char)s[-1];
      /* at the subject's end the character is its terminating '\0' */
      if (inset(before, p, ep - 1) || !inset((unsigned char)*s, p, ep - 1)) {
        s = NULL;
        break;
      }
      p = ep;
      continue;
    }
    if (*p == ESC && isdigit((unsigned char)p[1])) {
      s = backref(m, s, (unsigned char)p[1]);
      if (s == NULL) break;
      p += 2;
      continue;
    }
    /* a single-character class, maybe with a suffix */
    ep = classend(m, p);
    if (!single(m, s, p, ep)) {
      if (*ep == '*' || *ep == '?' || *ep == '-') {  /* zero times will do */
        p = ep + 1;
        continue;
      }
      s = NULL;
      break;
    }
    if (*ep == '?') {
      const char *r = domatch(m, s + 1, ep + 1);
      if (r != NULL) {
        s = r;
        break;
      }
      p = ep + 1;
      continue;
    }
    if (*ep == '+') {
      s = greedy(m, s + 1, p, ep);
      break;
    }
    if (*ep == '*') {
      s = greedy(m, s, p, ep);
      break;
    }
    if (*ep == '-') {
      s = lazy(m, s, p, ep);
      break;
    }
    s++;
    p = ep;
  }
  m->depth++;
  return s;
}

/* ---- captures ----------------------------------------------------------- */

/* Capture k of the match s..e (k 0 and no captures: the whole match):
** its length, *at its start; a position capture is pushed (an integer)
** and CAP_POS returned. */
static ptrdiff_t capture(Matcher *m, int k, const char *s, const char *e,
                         const char **at) {
  if (k >= m->ncap) {
    if (k != 0) luaL_error(m->L, "invalid capture index %%%d", k + 1);
    *at = s;
    return e - s;
  }
  *at = m->cap[k].at;
  if (m->cap[k].len == CAP_OPEN) luaL_error(m->L, "unfinished capture");
  if (m->cap[k].len == CAP_POS)
    lua_pushinteger(m->L, (lua_Integer)(m->cap[k].at - m->s0) + 1);
  return m->cap[k].len;
}

static void pushcapture(Matcher *m, int k, const char *s, const char *e) {
  const char *at;
  ptrdiff_t len = capture(m, k, s, e, &at);
  if (len != CAP_POS) lua_pushlstring(m->L, at, (size_t)len);
}

/* push the captures of the match s..e (s NULL: none for no captures);
** returns how many */
static int pushcaptures(Matcher *m, const char *s, const char *e) {
  int k, n = m->ncap == 0 && s != NULL ? 1 : m->ncap;
  luaL_checkstack(m->L, n, "too many captures");
  for (k = 0; k < n; k++) pushcapture(m, k, s, e);
  return n;
}

/* ---- the functions ------------------------------------------------------ */

/* position pos (1-based, negative from the end) in a string of len
** bytes, clamped at 1 below */
static size_t startpos(lua_Integer pos, size_t len) {
  if (pos > 0) return (size_t)pos;
  if (pos == 0 || pos < -(lua_Integer)len) return 1;
  return len + (size_t)pos + 1;
}

/* 1 when pattern p (lp bytes, maybe with '\0's) has no special character */
static int literal(const char *p, size_t lp) {
  size_t i;
  for (i = 0; i < lp; i++)
    if (p[i] != '\0' && strchr(SPECIALS, p[i]) != NULL) return 0;
  return 1;
}

/* the first copy of p (lp bytes) in s (ls bytes), or NULL; the bytes
** compared are counted */
static const char *search(Matcher *m, const char *s, size_t ls, const char *p, size_t lp) {
  const char *end, *t;
  if (lp == 0) return s;
  if (lp > ls) return NULL;
  end = s + (ls - lp) + 1;  /* the last start, + 1 */
  for (t = s; t < end; t++) {
    t = (const char *)memchr(t, *p, (size_t)(end - t));
    if (t == NULL) break;
    STEPS(m, lp / 16 + 1);
    if (memcmp(t + 1, p + 1, lp - 1) == 0) return t;
  }
  STEPS(m, (ls - lp) / 64);
  return NULL;
}

/* string.find (find 1) and string.match (find 0) */
static int findmatch(lua_State *L, int find) {
  size_t ls, lp, init;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  const char *at;
  int anchored;
  Matcher m;
  init = startpos(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  begin(&m, L, s, ls, p, lp);
  if (find && (lua_toboolean(L, 4) || literal(p, lp))) {
    at = search(&m, s + init, ls - init, p, lp);
    settle(&m);
    if (at == NULL) {
      luaL_pushfail(L);
      return 1;
    }
    lua_pushinteger(L, (lua_Integer)(at - s) + 1);
    lua_pushinteger(L, (lua_Integer)(at - s + lp));
    return 2;
  }
  anchored = *p == '^';
  if (anchored) begin(&m, L, s, ls, p + 1, lp - 1);
  for (at = s + init;; at++) {
    const char *e;
    m.ncap = 0;
    e = domatch(&m, at, p + anchored);
    if (e != NULL) {
      settle(&m);
      if (!find) return pushcaptures(&m, at, e);
      lua_pushinteger(L, (lua_Integer)(at - s) + 1);
      lua_pushinteger(L, (lua_Integer)(e - s));
      return pushcaptures(&m, NULL, NULL) + 2;
    }
    if (anchored || at >= m.send) break;
  }
  settle(&m);
  luaL_pushfail(L);
  return 1;
}

static int lfind(lua_State *L) {
  return findmatch(L, 1);
}

static int lmatch(lua_State *L) {
  return findmatch(L, 0);
}

/* gmatch's iterator state, a userdata (upvalue 3; 1 and 2 hold the
** subject and the pattern) */
typedef struct Iter {
  const char *at;    /* where the next search starts */
  const char *last;  /* the end of the last match, NULL before the first */
  const char *p;     /* the pattern */
  Matcher m;
} Iter;

static int gmatchnext(lua_State *L) {
  Iter *it = (Iter *)lua_touserdata(L, lua_upvalueindex(3));
  const char *at;
  it->m.L = L;  /* the iterator may run in any coroutine */
  for (at = it->at; at <= it->m.send; at++) {
    const char *e;
    it->m.ncap = 0;
    it->m.depth = MAXDEPTH;
    e = domatch(&it->m, at, it->p);
    if (e != NULL && e != it->last) {  /* an empty match where one ended: skip */
      it->at = it->last = e;
      settle(&it->m);
      return pushcaptures(&it->m, at, e);
    }
  }
  it->at = at;
  settle(&it->m);
  return 0;
}

static int lgmatch(lua_State *L) {
  size_t ls, lp, init;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  Iter *it;
  init = startpos(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) init = ls + 1;  /* nothing to find, and no overflow */
  lua_settop(L, 2);  /* the closure keeps subject and pattern */
  it = (Iter *)lua_newuserdatauv(L, sizeof *it, 0);
  begin(&it->m, L, s, ls, p, lp);
  it->at = s + init;
  it->last = NULL;
  it->p = p;
  lua_pushcclosure(L, gmatchnext, 3);
  return 1;
}

/* add the replacement string (argument 3) for the match s..e to b:
** %0-%9 are captures, %% a '%' */
static void addrepl(Matcher *m, luaL_Buffer *b, const char *s, const char *e) {
  size_t lr;
  const char *r = lua_tolstring(m->L, 3, &lr), *end = r + lr, *q;
  while ((q = (const char *)memchr(r, ESC, (size_t)(end - r))) != NULL) {
    luaL_addlstring(b, r, (size_t)(q - r));
    q++;  /* a '%' ending the string is followed by its '\0' */
    if (*q == ESC) {
      luaL_addchar(b, ESC);
    } else if (*q == '0') {
      luaL_addlstring(b, s, (size_t)(e - s));
    } else if (isdigit((unsigned char)*q)) {
      const char *at;
      ptrdiff_t len = capture(m, *q - '1', s, e, &at);
      if (len == CAP_POS) luaL_addvalue(b);
      else luaL_addlstring(b, at, (size_t)len);
    } else {
      luaL_error(m->L, "invalid use of '%c' in replacement string", ESC);
    }
    r = q + 1;
  }
  luaL_addlstring(b, r, (size_t)(end - r));
  STEPS(m, lr / 16);
}

/* Add the replacement of the match s..e to b, by the string, function
** or table (type t) of argument 3; a function's or table's false or nil
** keeps the match.  Returns 1 when the text changed. */
static int addvalue(Matcher *m, luaL_Buffer *b, const char *s, const char *e, int t) {
  lua_State *L = m->L;
  if (t == LUA_TFUNCTION) {
    int n;
    lua_pushvalue(L, 3);
    n = pushcaptures(m, s, e);
    settle(m);  /* the steps so far, before Lua code runs */
    lua_call(L, n, 1);
  } else if (t == LUA_TTABLE) {
    pushcapture(m, 0, s, e);
    lua_gettable(L, 3);
  } else {
    addrepl(m, b, s, e);
    return 1;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));
    return 0;
  }
  if (!lua_isstring(L, -1))
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return 1;
}

static int lgsub(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  const char *at, *last = NULL;
  int t = lua_type(L, 3), anchored, changed = 0;
  lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1), n = 0;
  Matcher m;
  luaL_Buffer b;
  luaL_argexpected(L, t == LUA_TNUMBER || t == LUA_TSTRING || t == LUA_TFUNCTION ||
                   t == LUA_TTABLE, 3, "string/function/table");
  luaL_buffinit(L, &b);
  anchored = *p == '^';
  begin(&m, L, s, ls, p + anchored, lp - (size_t)anchored);
  at = s;
  while (n < max) {
    const char *e;
    m.ncap = 0;
    e = domatch(&m, at, p + anchored);
    if (e != NULL && e != last) {
      n++;
      changed |= addvalue(&m, &b, at, e, t);
      at = last = e;
    } else if (at < m.send) {
      luaL_addchar(&b, *at++);
    } else {
      break;
    }
    if (anchored) break;
  }
  settle(&m);
  if (changed) {
    luaL_addlstring(&b, at, (size_t)(m.send - at));
    luaL_pushresult(&b);
  } else {
    lua_pushvalue(L, 1);  /* the subject itself */
  }
  lua_pushinteger(L, n);
  return 2;
}

void lmL_openpattern(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"find", lfind}, {"gmatch", lgmatch}, {"gsub", lgsub}, {"match", lmatch},
    {NULL, NULL}
  };
  luaL_setfuncs(L, fns, 0);
}
