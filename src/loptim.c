/*
** loptim.c -- the fused training builtins in Lua (kernels in core_opt.c):
**
**   loss [, grad] = ml.sigmoid_cross_entropy(z, y [, grad])
**   ml.momentum_step_(p, g, v, lr, beta)          -> p (updated in place)
**   ml.adam_step_(p, g, m, v, lr, b1, b2, eps, t) -> p (updated in place)
**   ml.isatty([file or fd])                       -> boolean [, columns]
**
** The steps are the kernels behind ml.optim.momentum and ml.optim.adam
** (lua/optim.lua); isatty decides whether a model draws its progress bar.
*/
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "lbind.h"
#include "core_opt.h"

/* sigmoid_cross_entropy(z, y [, grad]): mean logistic loss of logits z
** against 0/1 targets y of z's shape.  grad = true makes a new gradient
** (sigmoid(z) - y)/n, a matrix of z's shape receives it; either way it is
** the second result. */
static int l_sigmoid_xent(lua_State *L) {
  const char *fn = "sigmoid_cross_entropy";
  lm_mat *z = lmL_checkmatlike(L, 1), *y = lmL_checkmatlike(L, 2), *g = NULL;
  double loss;
  lmL_sameshape(L, z, y, fn, "logits", "targets");
  if (lua_toboolean(L, 3)) {
    if (lua_type(L, 3) == LUA_TBOOLEAN) {
      g = lmL_newmat(L, z->rows, z->cols, fn);
    } else {
      g = lmL_optout(L, 3, z->rows, z->cols, fn);
      if (lmL_overlap(g, y) || (lmL_overlap(g, z) && (g->data != z->data ||
          g->rs != z->rs || g->cs != z->cs)))
        lmL_error(L, "%s: the gradient matrix overlaps the targets or part "
                  "of the logits", fn);
      lua_pushvalue(L, 3);
    }
  }
  loss = lm_sigmoid_xent(z, y, g);
  lua_pushnumber(L, loss);
  if (g != NULL) { lua_insert(L, -2); return 2; }
  return 1;
}

/* a finite number at arg, for a step's hyperparameters */
static double checkparam(lua_State *L, int arg, const char *fn, const char *what) {
  double v = luaL_checknumber(L, arg);
  if (!isfinite(v))
    lmL_error(L, "%s: %s must be a finite number, got %g", fn, what, v);
  return v;
}

/* momentum_step_(p, g, v, lr, beta) */
static int l_momentum_step(lua_State *L) {
  const char *fn = "momentum_step_";
  lm_mat *p = lmL_checkmat(L, 1), *g = lmL_checkmat(L, 2), *v = lmL_checkmat(L, 3);
  double lr = checkparam(L, 4, fn, "lr"), beta = checkparam(L, 5, fn, "beta");
  lmL_sameshape(L, p, g, fn, "parameters", "gradients");
  lmL_sameshape(L, p, v, fn, "parameters", "velocities");
  lm_momentum_step(p, g, v, lr, beta);
  lua_settop(L, 1);
  return 1;
}

/* adam_step_(p, g, m, v, lr, beta1, beta2, eps, t) */
static int l_adam_step(lua_State *L) {
  const char *fn = "adam_step_";
  lm_mat *p = lmL_checkmat(L, 1), *g = lmL_checkmat(L, 2);
  lm_mat *m = lmL_checkmat(L, 3), *v = lmL_checkmat(L, 4);
  double lr = checkparam(L, 5, fn, "lr"), b1 = checkparam(L, 6, fn, "beta1");
  double b2 = checkparam(L, 7, fn, "beta2"), eps = checkparam(L, 8, fn, "eps");
  lua_Integer t = luaL_checkinteger(L, 9);
  if (t < 1) lmL_error(L, "%s: step count t must be 1 or more, got %lld", fn, (long long)t);
  if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1))
    lmL_error(L, "%s: beta1 and beta2 must be in [0, 1), got %g and %g", fn, b1, b2);
  lmL_sameshape(L, p, g, fn, "parameters", "gradients");
  lmL_sameshape(L, p, m, fn, "parameters", "first moments");
  lmL_sameshape(L, p, v, fn, "parameters", "second moments");
  lm_adam_step(p, g, m, v, lr, b1, b2, eps, (long)t);
  lua_settop(L, 1);
  return 1;
}

/* isatty([f]): whether f (a Lua file, or a file descriptor; default the
** standard output) is a terminal.  A closed file is not.  A terminal's
** width in columns follows, when the terminal knows it. */
static int l_isatty(lua_State *L) {
  int fd = 1;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    fd = (int)luaL_checkinteger(L, 1);
  } else if (!lua_isnoneornil(L, 1)) {
    luaL_Stream *s = (luaL_Stream *)luaL_checkudata(L, 1, LUA_FILEHANDLE);
    if (s->closef == NULL || s->f == NULL) { lua_pushboolean(L, 0); return 1; }
    fd = fileno(s->f);
  }
  lua_pushboolean(L, fd >= 0 && isatty(fd));
  if (lua_toboolean(L, -1)) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
      lua_pushinteger(L, ws.ws_col);
      return 2;
    }
  }
  return 1;
}

static const luaL_Reg funcs[] = {
  {"sigmoid_cross_entropy", l_sigmoid_xent},
  {"momentum_step_", l_momentum_step}, {"adam_step_", l_adam_step},
  {"isatty", l_isatty},
  {NULL, NULL}
};

void lmopen_optim(lua_State *L) {
  luaL_setfuncs(L, funcs, 0);
}
