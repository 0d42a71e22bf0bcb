/*
** core_opt.h -- fused kernels for training loops: the logistic loss from
** logits with its gradient, and the momentum and Adam parameter updates.
** Part of the numeric core (no Lua); see core.h for the view type.
*/
#ifndef LUAML_CORE_OPT_H
#define LUAML_CORE_OPT_H

#include "core.h"

/* Mean binary cross-entropy of logits z against targets y (z, y and grad
** of one shape), computed stably as max(z,0) - z*y + log1p(exp(-|z|)),
** so no probability is ever rounded to 0 or 1.  When grad is not NULL it
** receives d(loss)/dz = (sigmoid(z) - y) / n, n the element count.  grad
** may be z itself (same data and strides).  An empty z gives NaN. */
double lm_sigmoid_xent(const lm_mat *z, const lm_mat *y, const lm_mat *grad);

/* Momentum step (an exponential average of gradients, as in the
** deeplearning.ai course): v = beta*v + (1-beta)*g; p -= lr*v.
** p, g, v of one shape. */
void lm_momentum_step(const lm_mat *p, const lm_mat *g, const lm_mat *v,
                      double lr, double beta);

/* Adam step number t (1, 2, ...): m = b1*m + (1-b1)*g;
** v = b2*v + (1-b2)*g^2; p -= lr * mhat / (sqrt(vhat) + eps) with
** mhat = m/(1-b1^t), vhat = v/(1-b2^t).  p, g, m, v of one shape. */
void lm_adam_step(const lm_mat *p, const lm_mat *g, const lm_mat *m,
                  const lm_mat *v, double lr, double b1, double b2,
                  double eps, long t);

#endif
