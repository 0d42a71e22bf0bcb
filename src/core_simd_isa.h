/*
** core_simd_isa.h -- the body of the vector functions for one instruction
** set; included by core_simd.c once per set, with these defined:
**   SFX        name suffix          TGT      target attribute
**   V, W       vector type, lanes   LD, ST   unaligned load / store
**   SET1       broadcast            ADD, DIV, NEG, ABS
**   INRANGE(v, lo, hi)  nonzero when lo <= v <= hi in every lane (NaN: 0)
**   GE0SEL(x, a, b)     per lane x >= 0 ? a : b
**   VEXP, VLOG, VTANH   SLEEF's u10 functions of this set
*/

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

/* sigmoid as in the scalar lm_sigmoid1: 1 / (1 + e) for x >= 0 and
** e / (1 + e) below, with e = exp(-|x|) */
TGT static V CAT(vsig_, SFX)(V x) {
  V one = SET1(1.0), e = VEXP(NEG(ABS(x)));
  return DIV(GE0SEL(x, one, e), ADD(one, e));
}

/* z[i] = VOP(x[i]) where the fast range holds (of |x| when ONABS), else
** the scalar SOP; full vectors, then the tail padded to one vector */
#define VLOOP(VOP, SOP, LO, HI, ONABS)                                        \
  {                                                                          \
    const V lo = SET1(LO), hi = SET1(HI);                                    \
    double t[W];                                                             \
    size_t i = 0, j, k;                                                      \
    for (;; i += W) {                                                        \
      V v;                                                                   \
      k = (n - i < W) ? n - i : W;                                           \
      if (k == 0) break;                                                     \
      if (k < W) {                                                           \
        for (j = 0; j < W; j++) t[j] = (j < k) ? x[i + j] : 0.0;             \
        v = LD(t);                                                           \
      } else {                                                               \
        v = LD(x + i);                                                       \
      }                                                                      \
      if (k == W) ST(z + i, VOP(v));                                         \
      else {                                                                 \
        double r[W];                                                         \
        ST(r, VOP(v));                                                       \
        for (j = 0; j < k; j++) z[i + j] = r[j];                             \
      }                                                                      \
      if (!INRANGE(ONABS ? ABS(v) : v, lo, hi)) {                            \
        ST(t, v);  /* the arguments, as z may be x */                        \
        for (j = 0; j < k; j++) {                                            \
          double u = ONABS ? fabs(t[j]) : t[j];                              \
          if (!(u >= (LO) && u <= (HI))) z[i + j] = SOP(t[j]);               \
        }                                                                    \
      }                                                                      \
      if (k < W) break;                                                      \
    }                                                                        \
  }

TGT static void CAT(vrun_, SFX)(lm_vfn f, const double *x, double *z,
                                 size_t n) {
  switch (f) {
    case LM_VEXP: VLOOP(VEXP, exp, EXP_LO, EXP_HI, 0) break;
    case LM_VLOG: VLOOP(VLOG, log, DBL_MIN, DBL_MAX, 0) break;
    case LM_VSIGMOID: VLOOP(CAT(vsig_, SFX), lm_sigmoid1, 0.0, SIG_HI, 1) break;
    case LM_VTANH: VLOOP(VTANH, tanh, TANH_LO, TANH_HI, 1) break;
    default: break;
  }
}

#undef VLOOP
#undef CAT
#undef CAT_
/* the parameters: the next set defines its own */
#undef SFX
#undef TGT
#undef V
#undef W
#undef LD
#undef ST
#undef SET1
#undef ADD
#undef DIV
#undef NEG
#undef ABS
#undef INRANGE
#undef GE0SEL
#undef VEXP
#undef VLOG
#undef VTANH
