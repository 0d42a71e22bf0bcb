/*
** core_ops.h -- the one list of elementwise and reduction operations.
**
** Each row declares an operation once; the users of the lists expand them
** with their own X:
**   core.h      the enums (LM_EXP ...), in row order;
**   core_ew.c   the kernels, their tables, the scalar fallbacks and the
**               derivative kernels (lm_unary_grad, lm_binary_grad);
**   lfuncs.c    the Lua functions, methods and `_` variants;
**   lgrad.c     the names and kinds ml.grad's rules look up (lua/grad.lua);
**   fuzz/fuzz_lua.c  the names the fuzzer calls.
** Adding an operation is one row here, plus its help entry (lua/help.lua)
** and reference values (spec/ref/gen_ref.py).
**
** In the expressions, x (and y for binary operations) are the operands, as
** doubles; z is the result of a binary operation and, in a unary
** derivative, y is the result f(x).  Kinds: D differentiable, C constant
** (ml.grad records no derivative: comparisons, rounding, tests).
*/
#ifndef LUAML_CORE_OPS_H
#define LUAML_CORE_OPS_H

/* X(ENUM, cname, "luaname", f(x), loop, cost, kind, f'(x, y))
**   loop: PLAIN (a loop the compiler vectorises) or the SLEEF vector
**         function of core_simd.c (VEXP, VLOG, VTANH, VSIGMOID);
**   cost: MEM or MATH, the lm_parallel threshold LM_PAR_MIN_<cost>. */
#define LM_UNOPS(X)                                                          \
  X(NEG,      neg,      "neg",        (-(x)),           PLAIN,    MEM,  D,  \
    (-1.0))                                                                  \
  X(EXP,      exp,      "exp",        exp(x),           VEXP,     MATH, D,  \
    (y))                                                                     \
  X(LOG,      log,      "log",        log(x),           VLOG,     MATH, D,  \
    (1.0 / (x)))                                                             \
  X(LOG1P,    log1p,    "log1p",      log1p(x),         PLAIN,    MATH, D,  \
    (1.0 / (1.0 + (x))))                                                     \
  X(EXPM1,    expm1,    "expm1",      expm1(x),         PLAIN,    MATH, D,  \
    ((y) + 1.0))                                                             \
  X(SQRT,     sqrt,     "sqrt",       sqrt(x),          PLAIN,    MEM,  D,  \
    (0.5 / (y)))                                                             \
  X(ABS,      abs,      "abs",        fabs(x),          PLAIN,    MEM,  D,  \
    (lm_sign1(x)))                                                           \
  X(SIGN,     sign,     "sign",       lm_sign1(x),      PLAIN,    MEM,  C,  \
    (0.0))                                                                   \
  X(TANH,     tanh,     "tanh",       tanh(x),          VTANH,    MATH, D,  \
    (1.0 - (y) * (y)))                                                       \
  X(SIGMOID,  sigmoid,  "sigmoid",    lm_sigmoid1(x),   VSIGMOID, MATH, D,  \
    ((y) * (1.0 - (y))))                                                     \
  X(RELU,     relu,     "relu",       (((x) > 0 || (x) != (x)) ? (x) : 0.0), \
    PLAIN, MEM, D, ((x) > 0 ? 1.0 : 0.0))                                    \
  X(SQUARE,   square,   "square",     ((x) * (x)),      PLAIN,    MEM,  D,  \
    (2.0 * (x)))                                                             \
  X(FLOOR,    floor,    "floor",      floor(x),         PLAIN,    MEM,  C,  \
    (0.0))                                                                   \
  X(CEIL,     ceil,     "ceil",       ceil(x),          PLAIN,    MEM,  C,  \
    (0.0))                                                                   \
  /* half to even, as numpy's round */                                      \
  X(ROUND,    round,    "round",      nearbyint(x),     PLAIN,    MEM,  C,  \
    (0.0))                                                                   \
  /* C gives any nonzero for true (glibc's isinf: -1 for -inf) */            \
  X(ISNAN,    isnan,    "isnan",      ((double)(isnan(x) != 0)), PLAIN, MEM, \
    C, (0.0))                                                                \
  X(ISINF,    isinf,    "isinf",      ((double)(isinf(x) != 0)), PLAIN, MEM, \
    C, (0.0))                                                                \
  X(SIN,      sin,      "sin",        sin(x),           PLAIN,    MATH, D,  \
    (cos(x)))                                                                \
  X(COS,      cos,      "cos",        cos(x),           PLAIN,    MATH, D,  \
    (-sin(x)))                                                               \
  X(LOG2,     log2,     "log2",       log2(x),          PLAIN,    MATH, D,  \
    (1.0 / ((x) * 0.69314718055994530942)))                                  \
  X(LOG10,    log10,    "log10",      log10(x),         PLAIN,    MATH, D,  \
    (1.0 / ((x) * 2.30258509299404568402)))                                  \
  X(RECIP,    recip,    "reciprocal", (1.0 / (x)),      PLAIN,    MEM,  D,  \
    (-(y) * (y)))                                                            \
  /* log(1 + e^x) without overflow, numpy's logaddexp(0, x) */               \
  X(SOFTPLUS, softplus, "softplus",                                          \
    (log1p(exp(-fabs(x))) + (((x) > 0) ? (x) : 0.0)), PLAIN, MATH, D,        \
    (lm_sigmoid1(x)))

/* X(ENUM, cname, "luaname", f(x, y), kind, df/dx, df/dy) */
#define LM_BINOPS(X)                                                         \
  X(ADD,     add,     "add",     ((x) + (y)), D, (1.0), (1.0))              \
  X(SUB,     sub,     "sub",     ((x) - (y)), D, (1.0), (-1.0))             \
  X(MUL,     mul,     "mul",     ((x) * (y)), D, (y), (x))                  \
  X(DIV,     div,     "div",     ((x) / (y)), D, (1.0 / (y)),               \
    (-(x) / ((y) * (y))))                                                    \
  X(POW,     pow,     "pow",     pow((x), (y)), D,                           \
    ((y) == 0 ? 0.0 : (y) * pow((x), (y) - 1.0)),                           \
    (((x) == 0 && (y) >= 0) ? 0.0 : (z) * log(x)))                          \
  /* numpy's and Lua's %: the result takes the sign of the divisor */        \
  X(MOD,     mod,     "mod",     lm_fmod_floor((x), (y)), D, (1.0),          \
    (-floor((x) / (y))))                                                     \
  /* maximum/minimum propagate NaN, as numpy's do; a tie shares the        \
  ** gradient equally, as PyTorch's does */                                  \
  X(MAXIMUM, maximum, "maximum", (((x) > (y) || (x) != (x)) ? (x) : (y)), D, \
    (((x) > (y) || (x) != (x)) ? 1.0 : ((x) == (y)) ? 0.5 : 0.0),           \
    (((y) > (x) || (y) != (y)) ? 1.0 : ((x) == (y)) ? 0.5 : 0.0))           \
  X(MINIMUM, minimum, "minimum", (((x) < (y) || (x) != (x)) ? (x) : (y)), D, \
    (((x) < (y) || (x) != (x)) ? 1.0 : ((x) == (y)) ? 0.5 : 0.0),           \
    (((y) < (x) || (y) != (y)) ? 1.0 : ((x) == (y)) ? 0.5 : 0.0))           \
  X(EQ,      eq,      "eq",      ((double)((x) == (y))), C, (0.0), (0.0))   \
  X(NE,      ne,      "ne",      ((double)((x) != (y))), C, (0.0), (0.0))   \
  X(LT,      lt,      "lt",      ((double)((x) < (y))),  C, (0.0), (0.0))   \
  X(LE,      le,      "le",      ((double)((x) <= (y))), C, (0.0), (0.0))   \
  X(GT,      gt,      "gt",      ((double)((x) > (y))),  C, (0.0), (0.0))   \
  X(GE,      ge,      "ge",      ((double)((x) >= (y))), C, (0.0), (0.0))   \
  X(ATAN2,   atan2,   "atan2",   atan2((x), (y)), D,                         \
    ((y) / ((x) * (x) + (y) * (y))), (-(x) / ((x) * (x) + (y) * (y))))

/* X(ENUM, "luaname", kind): the reductions (core_red.c); their derivative
** rules, which need the reduced axis, are in lua/grad.lua */
#define LM_REDOPS(X)                                                         \
  X(SUM,    "sum",    D)                                                     \
  X(MEAN,   "mean",   D)                                                     \
  X(MAX,    "max",    D)                                                     \
  X(MIN,    "min",    D)                                                     \
  X(ARGMAX, "argmax", C)                                                     \
  X(ARGMIN, "argmin", C)                                                     \
  X(PROD,   "prod",   D)                                                     \
  X(VAR,    "var",    D)                                                     \
  X(STD,    "std",    D)                                                     \
  X(NORM,   "norm",   D)                                                     \
  X(NANSUM, "nansum", D)                                                     \
  X(ANY,    "any",    C)                                                     \
  X(ALL,    "all",    C)

#endif
