/*
** test_core_red.c -- the reduction and ML kernels (core_red.c, core_ml.c)
** against numpy, scipy and scikit-learn.  Prints TAP; exits 1 on failure.
**
** Build and run (from the repository root):
**   gcc -std=c99 -O2 -Wall -Wextra -Wpedantic -Wshadow -I src \
**       spec/c/test_core_red.c src/core_red.c src/core_ml.c src/core_ew.c \
**       -lm -o test_core_red && ./test_core_red
**
** Every reduction is checked on all elements and along both axes, on one
** logical matrix laid out four ways (dense row-major, a transposed view,
** a strided sub-view of a sentinel-filled buffer, negative strides).
** The reference tables below were generated once with Debian's
** /usr/bin/python3 (numpy 1.24.2, scipy 1.10.1, scikit-learn 1.2.1) by the
** script at the end of this file, and pasted here unchanged.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "tap.h"

/* ---- reference values (generated, see the end of the file) ------------- */

static const double A_vals[20] = {
  3.0, -1.0, 9.0, 9.0, 0.5, 9.0, 2.0, -4.0, 7.0, 2.0, -4.0, 2.0, 6.0, 0.0,
  2.0, 5.0, 8.0, -4.0, 1.5, 0.0,
};
static const double A_all[13] = {
  53.0, 2.65, 9.0, -4.0, 3.0, 8.0, 0.0, 17.6525, 4.2014878317091435,
  22.214859891523062, 53.0, 1.0, 0.0,
};
static const double A_ax1[65] = {
  13.0, 11.0, 7.0, 17.5, 4.5, 3.25, 2.75, 1.75, 4.375, 1.125, 9.0, 8.0, 9.0,
  9.0, 2.0, -4.0, -1.0, -4.0, 0.0, 0.0, 2.0, 4.0, 1.0, 1.0, 2.0, 3.0, 1.0,
  2.0, 3.0, 4.0, -540.0, -32.0, 864.0, 0.0, 0.0, 22.1875, 10.6875, 34.1875,
  13.921875, 0.796875, 4.710360920354193, 3.2691742076555053,
  5.84700778176325, 3.731202889149825, 0.8926785535678563,
  11.445523142259598, 8.54400374531753, 12.206555615733702, 11.5,
  2.8722813232690143, 13.0, 11.0, 7.0, 17.5, 4.5, 1.0, 1.0, 1.0, 1.0, 1.0,
  1.0, 1.0, 1.0, 0.0, 0.0,
};
static const double A_ax2[52] = {
  20.5, 16.0, 6.0, 10.5, 4.1, 3.2, 1.2, 2.1, 9.0, 9.0, 6.0, 8.0, -1.0, -4.0,
  -4.0, -4.0, 3.0, 1.0, 3.0, 2.0, 2.0, 3.0, 1.0, 3.0, -121.5, -1008.0, -0.0,
  -0.0, 17.64, 20.56, 10.559999999999999, 17.04, 4.2, 4.534313619501853,
  3.249615361854384, 4.127953488110059, 13.124404748406688,
  12.409673645990857, 7.745966692414834, 10.35615758860399, 20.5, 16.0, 6.0,
  10.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0,
};
static const double A_var1_all[1] = {
  18.58157894736842,
};
static const double A_var1_ax1[5] = {
  29.583333333333332, 14.25, 45.583333333333336, 18.5625, 1.0625,
};
static const double A_var1_ax2[4] = {
  22.05, 25.7, 13.2, 21.299999999999997,
};
static const double A_var4_all[1] = {
  22.065625,
};
static const double A_var4_ax1[5] = {
  INFINITY, INFINITY, INFINITY, INFINITY, INFINITY,
};
static const double A_var4_ax2[4] = {
  88.2, 102.8, 52.8, 85.19999999999999,
};
static const double AN_vals[20] = {
  1.0, NAN, 3.0, 4.0, NAN, 2.0, 5.0, NAN, 1.0, 0.0, 7.0, 7.0, -1.0, 2.0, 3.0,
  NAN, 0.0, -1.0, 8.0, 2.0,
};
static const double AN_all[13] = {
  NAN, NAN, NAN, NAN, 2.0, 2.0, NAN, NAN, NAN, NAN, 43.0, 1.0, 0.0,
};
static const double AN_ax1[65] = {
  NAN, NAN, NAN, 15.0, NAN, NAN, NAN, NAN, 3.75, NAN, NAN, NAN, NAN, 8.0,
  NAN, NAN, NAN, NAN, 1.0, NAN, 4.0, 1.0, 2.0, 4.0, 1.0, 4.0, 1.0, 2.0, 2.0,
  1.0, NAN, NAN, NAN, 64.0, NAN, NAN, NAN, NAN, 7.1875, NAN, NAN, NAN, NAN,
  2.680951323690902, NAN, NAN, NAN, NAN, 9.219544457292887, NAN, 10.0, 12.0,
  1.0, 15.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0,
};
static const double AN_ax2[52] = {
  NAN, NAN, 18.0, NAN, NAN, NAN, 3.6, NAN, NAN, NAN, 7.0, NAN, NAN, NAN,
  -1.0, NAN, 2.0, 3.0, 1.0, 1.0, 2.0, 3.0, 3.0, 1.0, NAN, NAN, -294.0, NAN,
  NAN, NAN, 9.44, NAN, NAN, NAN, 3.0724582991474434, NAN, NAN, NAN,
  10.583005244258363, NAN, 8.0, 8.0, 18.0, 9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0,
  1.0, 0.0,
};
static const double AN_var1_all[1] = {
  NAN,
};
static const double AN_var1_ax1[5] = {
  NAN, NAN, NAN, 9.583333333333334, NAN,
};
static const double AN_var1_ax2[4] = {
  NAN, NAN, 11.799999999999999, NAN,
};
static const double AN_var4_all[1] = {
  NAN,
};
static const double AN_var4_ax1[5] = {
  NAN, NAN, NAN, INFINITY, NAN,
};
static const double AN_var4_ax2[4] = {
  NAN, NAN, 47.199999999999996, NAN,
};
static const double T_vals[900] = {
  -8.0, -1.6875, 4.625, -5.6875, 0.625, 6.9375, -3.375, 2.9375, -6.8125,
  -1.0625, 5.25, -4.5, 1.25, 7.5625, -2.1875, 3.5625, -6.1875, 0.125, 5.875,
  -3.875, 2.4375, -7.875, -1.5625, 4.75, -5.5625, 0.75, 7.0625, -3.25,
  3.0625, -6.6875, -0.9375, 5.375, -4.375, 1.375, 7.6875, -2.0625, 3.6875,
  -6.0625, 0.25, 6.0, -3.75, 2.5625, -7.75, -1.4375, 4.875, -5.4375, 0.875,
  7.1875, -3.125, 3.1875, -6.5625, -0.8125, 5.5, -4.25, 1.5, 7.8125, -1.9375,
  3.8125, -5.9375, 0.375, 6.125, -3.625, 2.6875, -7.625, -1.3125, 5.0,
  -5.3125, 1.0, 7.3125, -3.0, 3.3125, -6.4375, -0.6875, 5.625, -4.125, 1.625,
  7.9375, -1.8125, 3.9375, -5.8125, 0.5, 6.25, -3.5, 2.8125, -7.5, -1.1875,
  5.125, -5.1875, 1.125, 7.4375, -2.875, 3.4375, -6.3125, -0.5625, 5.75,
  -4.0, 1.75, -8.0, -1.6875, 4.0625, -5.6875, 0.625, 6.375, -3.375, 2.9375,
  -7.375, -1.0625, 5.25, -5.0625, 1.25, 7.5625, -2.75, 3.5625, -6.1875,
  -0.4375, 5.875, -3.875, 1.875, -7.875, -1.5625, 4.1875, -5.5625, 0.75, 6.5,
  -3.25, 3.0625, -7.25, -0.9375, 5.375, -4.9375, 1.375, 7.6875, -2.625,
  3.6875, -6.0625, -0.3125, 6.0, -3.75, 2.0, -7.75, -1.4375, 4.3125, -5.4375,
  0.875, 6.625, -3.125, 3.1875, -7.125, -0.8125, 5.5, -4.8125, 1.5, 7.8125,
  -2.5, 3.8125, -5.9375, -0.1875, 6.125, -3.625, 2.125, -7.625, -1.3125,
  4.4375, -5.3125, 1.0, 6.75, -3.0, 3.3125, -7.0, -0.6875, 5.625, -4.6875,
  1.625, 7.9375, -2.375, 3.9375, -5.8125, -0.0625, 6.25, -3.5, 2.25, -7.5,
  -1.1875, 4.5625, -5.1875, 1.125, 6.875, -2.875, 3.4375, -6.875, -0.5625,
  5.75, -4.5625, 1.75, -8.0, -2.25, 4.0625, -5.6875, 0.0625, 6.375, -3.375,
  2.375, -7.375, -1.0625, 4.6875, -5.0625, 1.25, 7.0, -2.75, 3.5625, -6.75,
  -0.4375, 5.875, -4.4375, 1.875, -7.875, -2.125, 4.1875, -5.5625, 0.1875,
  6.5, -3.25, 2.5, -7.25, -0.9375, 4.8125, -4.9375, 1.375, 7.125, -2.625,
  3.6875, -6.625, -0.3125, 6.0, -4.3125, 2.0, -7.75, -2.0, 4.3125, -5.4375,
  0.3125, 6.625, -3.125, 2.625, -7.125, -0.8125, 4.9375, -4.8125, 1.5, 7.25,
  -2.5, 3.8125, -6.5, -0.1875, 6.125, -4.1875, 2.125, -7.625, -1.875, 4.4375,
  -5.3125, 0.4375, 6.75, -3.0, 2.75, -7.0, -0.6875, 5.0625, -4.6875, 1.625,
  7.375, -2.375, 3.9375, -6.375, -0.0625, 6.25, -4.0625, 2.25, -7.5, -1.75,
  4.5625, -5.1875, 0.5625, 6.875, -2.875, 2.875, -6.875, -0.5625, 5.1875,
  -4.5625, 1.75, 7.5, -2.25, 4.0625, -6.25, 0.0625, 6.375, -3.9375, 2.375,
  -7.375, -1.625, 4.6875, -5.0625, 0.6875, 7.0, -2.75, 3.0, -6.75, -0.4375,
  5.3125, -4.4375, 1.875, 7.625, -2.125, 4.1875, -6.125, 0.1875, 6.5,
  -3.8125, 2.5, -7.25, -1.5, 4.8125, -4.9375, 0.8125, 7.125, -2.625, 3.125,
  -6.625, -0.3125, 5.4375, -4.3125, 2.0, 7.75, -2.0, 4.3125, -6.0, 0.3125,
  6.625, -3.6875, 2.625, -7.125, -1.375, 4.9375, -4.8125, 0.9375, 7.25, -2.5,
  3.25, -6.5, -0.1875, 5.5625, -4.1875, 2.125, 7.875, -1.875, 4.4375, -5.875,
  0.4375, 6.75, -3.5625, 2.75, -7.0, -1.25, 5.0625, -4.6875, 1.0625, 7.375,
  -2.375, 3.375, -6.375, -0.0625, 5.6875, -4.0625, 2.25, 8.0, -1.75, 4.5625,
  -5.75, 0.5625, 6.875, -3.4375, 2.875, -6.875, -1.125, 5.1875, -4.5625,
  1.1875, 7.5, -2.25, 3.5, -6.25, 0.0625, 5.8125, -3.9375, 2.375, -7.9375,
  -1.625, 4.6875, -5.625, 0.6875, 7.0, -3.3125, 3.0, -6.75, -1.0, 5.3125,
  -4.4375, 1.3125, 7.625, -2.125, 3.625, -6.125, 0.1875, 5.9375, -3.8125,
  2.5, -7.8125, -1.5, 4.8125, -5.5, 0.8125, 7.125, -3.1875, 3.125, -6.625,
  -0.875, 5.4375, -4.3125, 1.4375, 7.75, -2.0, 3.75, -6.0, 0.3125, 6.0625,
  -3.6875, 2.625, -7.6875, -1.375, 4.9375, -5.375, 0.9375, 7.25, -3.0625,
  3.25, -6.5, -0.75, 5.5625, -4.1875, 1.5625, 7.875, -1.875, 3.875, -5.875,
  0.4375, 6.1875, -3.5625, 2.75, -7.5625, -1.25, 5.0625, -5.25, 1.0625,
  7.375, -2.9375, 3.375, -6.375, -0.625, 5.6875, -4.0625, 1.6875, 8.0, -1.75,
  4.0, -5.75, 0.5625, 6.3125, -3.4375, 2.875, -7.4375, -1.125, 5.1875,
  -5.125, 1.1875, 7.5, -2.8125, 3.5, -6.25, -0.5, 5.8125, -3.9375, 1.8125,
  -7.9375, -1.625, 4.125, -5.625, 0.6875, 6.4375, -3.3125, 3.0, -7.3125,
  -1.0, 5.3125, -5.0, 1.3125, 7.625, -2.6875, 3.625, -6.125, -0.375, 5.9375,
  -3.8125, 1.9375, -7.8125, -1.5, 4.25, -5.5, 0.8125, 6.5625, -3.1875, 3.125,
  -7.1875, -0.875, 5.4375, -4.875, 1.4375, 7.75, -2.5625, 3.75, -6.0, -0.25,
  6.0625, -3.6875, 2.0625, -7.6875, -1.375, 4.375, -5.375, 0.9375, 6.6875,
  -3.0625, 3.25, -7.0625, -0.75, 5.5625, -4.75, 1.5625, 7.875, -2.4375,
  3.875, -5.875, -0.125, 6.1875, -3.5625, 2.1875, -7.5625, -1.25, 4.5, -5.25,
  1.0625, 6.8125, -2.9375, 3.375, -6.9375, -0.625, 5.6875, -4.625, 1.6875,
  8.0, -2.3125, 4.0, -5.75, 0.0, 6.3125, -3.4375, 2.3125, -7.4375, -1.125,
  4.625, -5.125, 1.1875, 6.9375, -2.8125, 3.5, -6.8125, -0.5, 5.8125, -4.5,
  1.8125, -7.9375, -2.1875, 4.125, -5.625, 0.125, 6.4375, -3.3125, 2.4375,
  -7.3125, -1.0, 4.75, -5.0, 1.3125, 7.0625, -2.6875, 3.625, -6.6875, -0.375,
  5.9375, -4.375, 1.9375, -7.8125, -2.0625, 4.25, -5.5, 0.25, 6.5625,
  -3.1875, 2.5625, -7.1875, -0.875, 4.875, -4.875, 1.4375, 7.1875, -2.5625,
  3.75, -6.5625, -0.25, 6.0625, -4.25, 2.0625, -7.6875, -1.9375, 4.375,
  -5.375, 0.375, 6.6875, -3.0625, 2.6875, -7.0625, -0.75, 5.0, -4.75, 1.5625,
  7.3125, -2.4375, 3.875, -6.4375, -0.125, 6.1875, -4.125, 2.1875, -7.5625,
  -1.8125, 4.5, -5.25, 0.5, 6.8125, -2.9375, 2.8125, -6.9375, -0.625, 5.125,
  -4.625, 1.6875, 7.4375, -2.3125, 4.0, -6.3125, 0.0, 6.3125, -4.0, 2.3125,
  -7.4375, -1.6875, 4.625, -5.125, 0.625, 6.9375, -2.8125, 2.9375, -6.8125,
  -0.5, 5.25, -4.5, 1.8125, 7.5625, -2.1875, 4.125, -6.1875, 0.125, 6.4375,
  -3.875, 2.4375, -7.3125, -1.5625, 4.75, -5.0, 0.75, 7.0625, -2.6875,
  3.0625, -6.6875, -0.375, 5.375, -4.375, 1.9375, 7.6875, -2.0625, 4.25,
  -6.0625, 0.25, 6.5625, -3.75, 2.5625, -7.1875, -1.4375, 4.875, -4.875,
  0.875, 7.1875, -2.5625, 3.1875, -6.5625, -0.25, 5.5, -4.25, 2.0625, 7.8125,
  -1.9375, 4.375, -5.9375, 0.375, 6.6875, -3.625, 2.6875, -7.0625, -1.3125,
  5.0, -4.75, 1.0, 7.3125, -2.4375, 3.3125, -6.4375, -0.125, 5.625, -4.125,
  2.1875, 7.9375, -1.8125, 4.5, -5.8125, 0.5, 6.8125, -3.5, 2.8125, -6.9375,
  -1.1875, 5.125, -4.625, 1.125, 7.4375, -2.3125, 3.4375, -6.3125, 0.0, 5.75,
  -4.0, 2.3125, -8.0, -1.6875, 4.625, -5.6875, 0.625, 6.9375, -3.375, 2.9375,
  -6.8125, -1.0625, 5.25, -4.5, 1.25, 7.5625, -2.1875, 3.5625, -6.1875,
  0.125, 5.875, -3.875, 2.4375, -7.875, -1.5625, 4.75, -5.5625, 0.75, 7.0625,
  -3.25, 3.0625, -6.6875, -0.9375, 5.375, -4.375, 1.375, 7.6875, -2.0625,
  3.6875, -6.0625, 0.25, 6.0, -3.75, 2.5625, -7.75, -1.4375, 4.875, -5.4375,
  0.875, 7.1875, -3.125, 3.1875, -6.5625, -0.8125, 5.5, -4.25, 1.5, 7.8125,
  -1.9375, 3.8125, -5.9375, 0.375, 6.125, -3.625, 2.6875, -7.625, -1.3125,
  5.0, -5.3125, 1.0, 7.3125, -3.0, 3.3125, -6.4375, -0.6875, 5.625, -4.125,
  1.625, 7.9375, -1.8125, 3.9375, -5.8125, 0.5, 6.25, -3.5, 2.8125, -7.5,
  -1.1875, 5.125, -5.1875, 1.125, 7.4375, -2.875, 3.4375, -6.3125, -0.5625,
  5.75, -4.0, 1.75, -8.0, -1.6875, 4.0625, -5.6875, 0.625, 6.375, -3.375,
  2.9375, -7.375, -1.0625, 5.25, -5.0625, 1.25, 7.5625, -2.75, 3.5625,
  -6.1875, -0.4375, 5.875, -3.875, 1.875, -7.875, -1.5625, 4.1875, -5.5625,
  0.75, 6.5, -3.25, 3.0625, -7.25, -0.9375, 5.375,
};
static const double T_all[13] = {
  -8.6875, -0.009652777777777777, 8.0, -8.0, 376.0, 1.0, 0.0,
  21.543834775270064, 4.641533666286399, 139.24631110463932, -8.6875, 1.0,
  0.0,
};
static const double T_ax1[39] = {
  -38.75, 7.8125, 22.25, -0.12916666666666668, 0.026041666666666668,
  0.07416666666666667, 8.0, 8.0, 8.0, -8.0, -8.0, -8.0, 126.0, 158.0, 190.0,
  1.0, 33.0, 65.0, -0.0, -0.0, 0.0, 21.656675347222222, 21.476808810763867,
  21.475436805555553, 4.653673317630087, 4.634307802764494,
  4.634159773416919, 80.63502844607919, 80.26983302430621, 80.27628074344251,
  -38.75, 7.8125, 22.25, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0,
};
static const double T_var1_all[1] = {
  21.56779899637715,
};
static const double T_var1_ax1[3] = {
  21.72910569955407, 21.54863760277311, 21.547261008918614,
};
static const double T_var4_all[1] = {
  21.640012609088235,
};
static const double T_var4_ax1[3] = {
  21.949333122184687, 21.76703595685527, 21.765645411036033,
};
static const double W_vals[900] = {
  -16.0, -12.375, -8.75, -5.125, -1.5, 2.125, 5.75, 9.375, 13.0, 16.625,
  -12.625, -9.0, -5.375, -1.75, 1.875, 5.5, 9.125, 12.75, 16.375, -12.875,
  -9.25, -5.625, -2.0, 1.625, 5.25, 8.875, 12.5, 16.125, -13.125, -9.5,
  -5.875, -2.25, 1.375, 5.0, 8.625, 12.25, 15.875, -13.375, -9.75, -6.125,
  -2.5, 1.125, 4.75, 8.375, 12.0, 15.625, -13.625, -10.0, -6.375, -2.75,
  0.875, 4.5, 8.125, 11.75, 15.375, -13.875, -10.25, -6.625, -3.0, 0.625,
  4.25, 7.875, 11.5, 15.125, -14.125, -10.5, -6.875, -3.25, 0.375, 4.0,
  7.625, 11.25, 14.875, -14.375, -10.75, -7.125, -3.5, 0.125, 3.75, 7.375,
  11.0, 14.625, -14.625, -11.0, -7.375, -3.75, -0.125, 3.5, 7.125, 10.75,
  14.375, -14.875, -11.25, -7.625, -4.0, -0.375, 3.25, 6.875, 10.5, 14.125,
  -15.125, -11.5, -7.875, -4.25, -0.625, 3.0, 6.625, 10.25, 13.875, -15.375,
  -11.75, -8.125, -4.5, -0.875, 2.75, 6.375, 10.0, 13.625, -15.625, -12.0,
  -8.375, -4.75, -1.125, 2.5, 6.125, 9.75, 13.375, -15.875, -12.25, -8.625,
  -5.0, -1.375, 2.25, 5.875, 9.5, 13.125, 16.75, -12.5, -8.875, -5.25,
  -1.625, 2.0, 5.625, 9.25, 12.875, 16.5, -12.75, -9.125, -5.5, -1.875, 1.75,
  5.375, 9.0, 12.625, 16.25, -13.0, -9.375, -5.75, -2.125, 1.5, 5.125, 8.75,
  12.375, 16.0, -13.25, -9.625, -6.0, -2.375, 1.25, 4.875, 8.5, 12.125,
  15.75, -13.5, -9.875, -6.25, -2.625, 1.0, 4.625, 8.25, 11.875, 15.5,
  -13.75, -10.125, -6.5, -2.875, 0.75, 4.375, 8.0, 11.625, 15.25, -14.0,
  -10.375, -6.75, -3.125, 0.5, 4.125, 7.75, 11.375, 15.0, -14.25, -10.625,
  -7.0, -3.375, 0.25, 3.875, 7.5, 11.125, 14.75, -14.5, -10.875, -7.25,
  -3.625, 0.0, 3.625, 7.25, 10.875, 14.5, -14.75, -11.125, -7.5, -3.875,
  -0.25, 3.375, 7.0, 10.625, 14.25, -15.0, -11.375, -7.75, -4.125, -0.5,
  3.125, 6.75, 10.375, 14.0, -15.25, -11.625, -8.0, -4.375, -0.75, 2.875,
  6.5, 10.125, 13.75, -15.5, -11.875, -8.25, -4.625, -1.0, 2.625, 6.25,
  9.875, 13.5, -15.75, -12.125, -8.5, -4.875, -1.25, 2.375, 6.0, 9.625,
  13.25, -16.0, -12.375, -8.75, -5.125, -1.5, 2.125, 5.75, 9.375, 13.0,
  16.625, -12.625, -9.0, -5.375, -1.75, 1.875, 5.5, 9.125, 12.75, 16.375,
  -12.875, -9.25, -5.625, -2.0, 1.625, 5.25, 8.875, 12.5, 16.125, -13.125,
  -9.5, -5.875, -2.25, 1.375, 5.0, 8.625, 12.25, 15.875, -9.375, -5.75,
  -2.125, 1.5, 5.125, 8.75, 12.375, 16.0, -13.25, -9.625, -6.0, -2.375, 1.25,
  4.875, 8.5, 12.125, 15.75, -13.5, -9.875, -6.25, -2.625, 1.0, 4.625, 8.25,
  11.875, 15.5, -13.75, -10.125, -6.5, -2.875, 0.75, 4.375, 8.0, 11.625,
  15.25, -14.0, -10.375, -6.75, -3.125, 0.5, 4.125, 7.75, 11.375, 15.0,
  -14.25, -10.625, -7.0, -3.375, 0.25, 3.875, 7.5, 11.125, 14.75, -14.5,
  -10.875, -7.25, -3.625, 0.0, 3.625, 7.25, 10.875, 14.5, -14.75, -11.125,
  -7.5, -3.875, -0.25, 3.375, 7.0, 10.625, 14.25, -15.0, -11.375, -7.75,
  -4.125, -0.5, 3.125, 6.75, 10.375, 14.0, -15.25, -11.625, -8.0, -4.375,
  -0.75, 2.875, 6.5, 10.125, 13.75, -15.5, -11.875, -8.25, -4.625, -1.0,
  2.625, 6.25, 9.875, 13.5, -15.75, -12.125, -8.5, -4.875, -1.25, 2.375, 6.0,
  9.625, 13.25, -16.0, -12.375, -8.75, -5.125, -1.5, 2.125, 5.75, 9.375,
  13.0, 16.625, -12.625, -9.0, -5.375, -1.75, 1.875, 5.5, 9.125, 12.75,
  16.375, -12.875, -9.25, -5.625, -2.0, 1.625, 5.25, 8.875, 12.5, 16.125,
  -13.125, -9.5, -5.875, -2.25, 1.375, 5.0, 8.625, 12.25, 15.875, -13.375,
  -9.75, -6.125, -2.5, 1.125, 4.75, 8.375, 12.0, 15.625, -13.625, -10.0,
  -6.375, -2.75, 0.875, 4.5, 8.125, 11.75, 15.375, -13.875, -10.25, -6.625,
  -3.0, 0.625, 4.25, 7.875, 11.5, 15.125, -14.125, -10.5, -6.875, -3.25,
  0.375, 4.0, 7.625, 11.25, 14.875, -14.375, -10.75, -7.125, -3.5, 0.125,
  3.75, 7.375, 11.0, 14.625, -14.625, -11.0, -7.375, -3.75, -0.125, 3.5,
  7.125, 10.75, 14.375, -14.875, -11.25, -7.625, -4.0, -0.375, 3.25, 6.875,
  10.5, 14.125, -15.125, -11.5, -7.875, -4.25, -0.625, 3.0, 6.625, 10.25,
  13.875, -15.375, -11.75, -8.125, -4.5, -0.875, 2.75, 6.375, 10.0, 13.625,
  -15.625, -12.0, -8.375, -4.75, -1.125, 2.5, 6.125, 9.75, 13.375, -15.875,
  -12.25, -8.625, -5.0, -1.375, 2.25, 5.875, 9.5, 13.125, 16.75, -12.5,
  -8.875, -5.25, -1.625, 2.0, 5.625, 9.25, 12.875, 16.5, -12.75, -9.125,
  -5.5, -1.875, 1.75, 5.375, 9.0, 12.625, 16.25, -13.0, -9.375, -5.75,
  -2.125, 1.5, 5.125, 8.75, 12.375, 16.0, -13.25, -9.625, -6.0, -2.375, 1.25,
  4.875, 8.5, 12.125, 15.75, -13.5, -9.875, -6.25, -2.625, 1.0, 4.625, 8.25,
  11.875, 15.5, -13.75, -10.125, -6.5, -2.875, 0.75, 4.375, 8.0, 11.625,
  15.25, -14.0, -10.375, -2.75, 0.875, 4.5, 8.125, 11.75, 15.375, -13.875,
  -10.25, -6.625, -3.0, 0.625, 4.25, 7.875, 11.5, 15.125, -14.125, -10.5,
  -6.875, -3.25, 0.375, 4.0, 7.625, 11.25, 14.875, -14.375, -10.75, -7.125,
  -3.5, 0.125, 3.75, 7.375, 11.0, 14.625, -14.625, -11.0, -7.375, -3.75,
  -0.125, 3.5, 7.125, 10.75, 14.375, -14.875, -11.25, -7.625, -4.0, -0.375,
  3.25, 6.875, 10.5, 14.125, -15.125, -11.5, -7.875, -4.25, -0.625, 3.0,
  6.625, 10.25, 13.875, -15.375, -11.75, -8.125, -4.5, -0.875, 2.75, 6.375,
  10.0, 13.625, -15.625, -12.0, -8.375, -4.75, -1.125, 2.5, 6.125, 9.75,
  13.375, -15.875, -12.25, -8.625, -5.0, -1.375, 2.25, 5.875, 9.5, 13.125,
  16.75, -12.5, -8.875, -5.25, -1.625, 2.0, 5.625, 9.25, 12.875, 16.5,
  -12.75, -9.125, -5.5, -1.875, 1.75, 5.375, 9.0, 12.625, 16.25, -13.0,
  -9.375, -5.75, -2.125, 1.5, 5.125, 8.75, 12.375, 16.0, -13.25, -9.625,
  -6.0, -2.375, 1.25, 4.875, 8.5, 12.125, 15.75, -13.5, -9.875, -6.25,
  -2.625, 1.0, 4.625, 8.25, 11.875, 15.5, -13.75, -10.125, -6.5, -2.875,
  0.75, 4.375, 8.0, 11.625, 15.25, -14.0, -10.375, -6.75, -3.125, 0.5, 4.125,
  7.75, 11.375, 15.0, -14.25, -10.625, -7.0, -3.375, 0.25, 3.875, 7.5,
  11.125, 14.75, -14.5, -10.875, -7.25, -3.625, 0.0, 3.625, 7.25, 10.875,
  14.5, -14.75, -11.125, -7.5, -3.875, -0.25, 3.375, 7.0, 10.625, 14.25,
  -15.0, -11.375, -7.75, -4.125, -0.5, 3.125, 6.75, 10.375, 14.0, -15.25,
  -11.625, -8.0, -4.375, -0.75, 2.875, 6.5, 10.125, 13.75, -15.5, -11.875,
  -8.25, -4.625, -1.0, 2.625, 6.25, 9.875, 13.5, -15.75, -12.125, -8.5,
  -4.875, -1.25, 2.375, 6.0, 9.625, 13.25, -16.0, -12.375, -8.75, -5.125,
  -1.5, 2.125, 5.75, 9.375, 13.0, 16.625, -12.625, -9.0, -5.375, -1.75,
  1.875, 5.5, 9.125, 12.75, 16.375, -12.875, -9.25, -5.625, -2.0, 1.625,
  5.25, 8.875, 12.5, 16.125, -13.125, -9.5, -5.875, -2.25, 1.375, 5.0, 8.625,
  12.25, 15.875, -13.375, -9.75, -6.125, -2.5, 1.125, 4.75, 8.375, 12.0,
  15.625, -13.625, -10.0, -6.375, -2.75, 0.875, 4.5, 8.125, 11.75, 15.375,
  -13.875, -10.25, -6.625, -3.0, 0.625, 4.25, 7.875, 11.5, 15.125, -14.125,
  -10.5, -6.875, -3.25, 0.375, 4.0, 7.625, 11.25, 14.875, -14.375, -10.75,
  -7.125, -3.5, 0.125, 3.75, 7.375, 11.0, 14.625, -14.625, -11.0, -7.375,
  -3.75,
};
static const double W_all[13] = {
  383.25, 0.42583333333333334, 16.75, -16.0, 137.0, 1.0, -0.0,
  90.12140902777779, 9.493229641580244, 285.08326634511536, 383.25, 1.0, 0.0,
};
static const double W_ax2[39] = {
  145.625, 127.75, 109.875, 0.48541666666666666, 0.42583333333333334,
  0.36625, 16.75, 16.75, 16.75, -16.0, -16.0, -16.0, 137.0, 244.0, 88.0, 1.0,
  108.0, 215.0, -0.0, -0.0, -0.0, 90.58515190972223, 90.01929097222221,
  89.75268385416666, 9.517623227976731, 9.48784964953715, 9.473789308094553,
  165.06433404887926, 164.49981003028543, 164.21341868130023, 145.625,
  127.75, 109.875, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0,
};
static const double W_var1_all[1] = {
  90.22165531145718,
};
static const double W_var1_ax2[3] = {
  90.88811228400223, 90.32035883500556, 90.05286005434783,
};
static const double W_var4_all[1] = {
  90.52373674665179,
};
static const double W_var4_ax2[3] = {
  91.80927558417793, 91.23576787725224, 90.96555796030405,
};
static const double A_cumsum1[20] = {
  3.0, -1.0, 9.0, 9.0, 0.5, 12.0, 1.0, 5.0, 16.0, 2.5, 8.0, 3.0, 11.0, 16.0,
  4.5, 13.0, 11.0, 7.0, 17.5, 4.5,
};
static const double A_cumsum2[20] = {
  3.0, 2.0, 11.0, 20.0, 20.5, 9.0, 11.0, 7.0, 14.0, 16.0, -4.0, -2.0, 4.0,
  4.0, 6.0, 5.0, 13.0, 9.0, 10.5, 10.5,
};
static const double E_ax1[39] = {
  0.0, 0.0, 0.0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0.0, 0.0, 0.0,
  0.0, 0.0, 0.0, 1.0, 1.0, 1.0, NAN, NAN, NAN, NAN, NAN, NAN, 0.0, 0.0, 0.0,
  0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0,
};
static const double VDD[4] = {
  INFINITY, NAN, 1.1666666666666665, INFINITY,
};
static const double LONG[4] = {
  99999.9999999998, 0.0999999999999998, 100000.0, 100000.00000133288,
};
static const double LONGVAR[3] = {
  0.2500003124994387, 0.5000003124993411, 1000000000.7499993,
};
static const double Z_sm2[12] = {
  0.03205860328008498, 0.08714431874203256, 0.23688281808991016,
  0.6439142598879724, 1.0, 0.0, 0.0, 0.0, 0.25, 0.25, 0.25, 0.25,
};
static const double Z_lsm2[12] = {
  -3.4401896985611953, -2.4401896985611953, -1.4401896985611953,
  -0.44018969856119533, 0.0, -2000.0, -1000.0, -999.0, -1.3862943611198906,
  -1.3862943611198906, -1.3862943611198906, -1.3862943611198906,
};
static const double Z_sm1[12] = {
  0.0, 0.9990889488055994, 0.952269826123778, 0.9524621582414796, 1.0, 0.0,
  0.04741072293787844, 0.047420298590171786, 0.0, 0.0009110511944006454,
  0.00031945093834375056, 0.00011754316834855699,
};
static const double Z_lsm1[12] = {
  -999.0, -0.0009114664537742015, -0.04890685354740576,
  -0.048704901650830204, 0.0, -1002.0009114664538, -3.0489068535474058,
  -3.0487049016508303, -1005.0, -7.000911466453775, -8.048906853547406,
  -9.04870490165083,
};
static const double ZI_vals[12] = {
  -INFINITY, 0.0, 1.0, -INFINITY, -INFINITY, -INFINITY, INFINITY, 1.0, 2.0,
  NAN, 0.0, 1.0,
};
static const double ZI_sm[12] = {
  0.0, 0.26894142136999516, 0.7310585786300049, NAN, NAN, NAN, NAN, NAN, NAN,
  NAN, NAN, NAN,
};
static const double ZI_lsm[12] = {
  -INFINITY, -1.3132616875182228, -0.3132616875182228, NAN, NAN, NAN, NAN,
  -INFINITY, -INFINITY, NAN, NAN, NAN,
};
static const double BCE[1] = {
  177.55357521225824,
};
static const double CE[1] = {
  177.41734605201924,
};
static const double XENT[1] = {
  800.4415313047326,
};
static const double XENT_grad[20] = {
  0.006411720656016996, 0.017428863748406513, 0.04737656361798203,
  -0.07121714802240553, 0.2, -0.2, 0.0, 0.0, -0.15, 0.05, 0.05, 0.05,
  0.030482260838711382, 0.014398800472134526, -0.06338798475995318,
  0.01850692344910728, -0.2, 0.0, 0.2, 0.0,
};
static const double MSE[1] = {
  1.2604166666666667,
};
static const double R2[8] = {
  0.9486081370449679, 1.0, 1.0, 0.0, 0.9129464285714286, 0.421875, NAN, -3.0,
};
static const double Z_vals[12] = {
  1.0, 2.0, 3.0, 4.0, 1000.0, -1000.0, 0.0, 1.0, -5.0, -5.0, -5.0, -5.0,
};
static const double BA_vals[8] = {
  0.0, 1.0, 0.5, 0.9, 0.0, 1.0, 0.2, 0.999,
};
static const double BY_vals[8] = {
  0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.3, 1.0,
};
static const double P_vals[12] = {
  0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.0, 1.0, 0.0, 0.25, 0.5, 0.25,
};
static const double Z2_vals[20] = {
  1.0, 2.0, 3.0, 4.0, 1000.0, -1000.0, 0.0, 1.0, -5.0, -5.0, -5.0, -5.0, 0.5,
  -0.25, 2.0, 0.001, -1000.0, 0.0, 1000.0, 3.0,
};
static const double XENT_LAB[5] = {
  3.0, 1.0, 0.0, 2.0, 0.0,
};
static const double MA_vals[6] = {
  1.0, 2.0, 3.0, 4.0, 5.0, 6.5,
};
static const double MB_vals[6] = {
  1.5, 2.0, 2.0, 4.25, 5.0, 9.0,
};

/* ---- comparisons ------------------------------------------------------ */

/* got equals want within rtol/atol; NaN equals NaN, inf equals inf */
static int near(double got, double want, double rtol, double atol) {
  if (isnan(want)) return isnan(got);
  if (isinf(want)) return got == want;
  return fabs(got - want) <= atol + rtol * fabs(want);
}

/* near(), printing a TAP diagnostic when not */
static int cmp(double got, double want, double rtol, double atol,
               const char *what) {
  if (near(got, want, rtol, atol)) return 1;
  diag("%s: got %.17g, want %.17g", what, got, want);
  return 0;
}

/* ---- views in several layouts ------------------------------------------ */

enum { L_ROW, L_T, L_SUB, L_NEG, NLAYOUT };
static const char *const lname[NLAYOUT] = {
  "row-major", "transposed", "strided", "negative-stride"
};

#define MAXBUF 8192
static double *bufs[MAXBUF];
static int nbuf = 0;

static double *newbuf(size_t n) {
  double *p = malloc((n ? n : 1) * sizeof(double));
  size_t i;
  if (!p || nbuf == MAXBUF) { puts("Bail out! out of memory"); exit(1); }
  for (i = 0; i < n; i++) p[i] = 1e300;  /* sentinel: any read shows */
  bufs[nbuf++] = p;
  return p;
}

static void freebufs(void) {
  while (nbuf > 0) free(bufs[--nbuf]);
}

#define AT(m, i, j) ((m).data[(ptrdiff_t)(i) * (m).rs + (ptrdiff_t)(j) * (m).cs])

/* a view of the row-major values v (r, c) in the given layout: a dense
** copy, the transpose of a dense (c, r) copy, every other row and column
** of a larger buffer, or a copy walked backwards */
static lm_mat mkview(int layout, const double *v, int r, int c) {
  lm_mat m;
  int i, j;
  double *b;
  m.rows = r; m.cols = c;
  switch (layout) {
    case L_T:
      b = newbuf((size_t)r * c);
      m.data = b; m.rs = 1; m.cs = r;
      break;
    case L_SUB:
      b = newbuf((size_t)(2 * r + 1) * (2 * c + 3));
      m.data = b + (2 * c + 3) + 2; m.rs = 2 * (2 * c + 3); m.cs = 2;
      break;
    case L_NEG:
      b = newbuf((size_t)r * c);
      m.data = b + (ptrdiff_t)r * c - 1; m.rs = -c; m.cs = -1;
      break;
    default:
      b = newbuf((size_t)r * c);
      m.data = b; m.rs = c; m.cs = 1;
      break;
  }
  for (i = 0; i < r; i++)
    for (j = 0; j < c; j++) AT(m, i, j) = v[i * c + j];
  return m;
}

/* an output of shape (r, c): dense, or (strided != 0) every third
** element of a sentinel-filled buffer */
static lm_mat mkout(int r, int c, int strided, size_t *len) {
  lm_mat m;
  size_t n = (size_t)r * c;
  m.rows = r; m.cols = c;
  if (strided) {
    m.data = newbuf(3 * n + 2) + 1; m.rs = 3 * c; m.cs = 3;
    *len = 3 * n + 2;
  } else {
    m.data = newbuf(n); m.rs = c; m.cs = 1;
    *len = n;
  }
  return m;
}

/* 1 when the strided output's buffer is untouched outside the view */
static int sentinels(const lm_mat *m, int strided) {
  size_t i, n = (size_t)m->rows * m->cols;
  const double *b = m->data - 1;
  if (!strided) return 1;
  if (b[0] != 1e300 || b[3 * n + 1] != 1e300) return 0;
  for (i = 0; i < n; i++)
    if (b[1 + 3 * i + 1] != 1e300 || b[1 + 3 * i + 2] != 1e300) return 0;
  return 1;
}

/* ---- reductions against numpy tables ------------------------------------ */

static const char *const opname[LM_NREDOP] = {
  "sum", "mean", "max", "min", "argmax", "argmin", "prod", "var", "std",
  "norm", "nansum", "any", "all"
};

/* check op on axis (1, 2) of m against want (the op's outputs) */
static int check_axis(lm_redop op, const lm_mat *m, int axis, double ddof,
                      const double *want, int strided_out) {
  int k, n = (axis == 1) ? m->cols : m->rows, good = 1;
  size_t len;
  lm_mat o = (axis == 1) ? mkout(1, n, strided_out, &len)
                         : mkout(n, 1, strided_out, &len);
  char what[64];
  (void)len;
  lm_reduce_axis(op, m, axis, ddof, &o);
  for (k = 0; k < n; k++) {
    double got = (axis == 1) ? AT(o, 0, k) : AT(o, k, 0);
    snprintf(what, sizeof what, "%s axis %d [%d]", opname[op], axis, k + 1);
    good &= cmp(got, want[k], 1e-12, 1e-12, what);
  }
  if (!sentinels(&o, strided_out)) {
    diag("%s axis %d wrote outside its output", opname[op], axis);
    good = 0;
  }
  return good;
}

/* every op, all elements and along each axis given (NULL: skipped), on
** every layout of the (r, c) values v */
static void check_table(const char *name, const double *v, int r, int c,
                        const double *all, const double *ax1,
                        const double *ax2) {
  int l, op;
  for (l = 0; l < NLAYOUT; l++) {
    lm_mat m = mkview(l, v, r, c);
    for (op = 0; op < LM_NREDOP; op++) {
      int good = 1;
      if (all) {
        char what[64];
        snprintf(what, sizeof what, "%s all", opname[op]);
        good &= cmp(lm_reduce_all((lm_redop)op, &m, 0), all[op], 1e-12,
                    1e-12, what);
      }
      if (ax1) good &= check_axis((lm_redop)op, &m, 1, 0, ax1 + op * c, l == L_SUB);
      if (ax2) good &= check_axis((lm_redop)op, &m, 2, 0, ax2 + op * r, l == L_SUB);
      ok(good, "%s %s %s%s%s matches numpy", name, lname[l], opname[op],
         all ? " all" : "", ax1 && ax2 ? " axis 1, 2" : ax1 ? " axis 1" :
         ax2 ? " axis 2" : "");
    }
  }
}

/* var with ddof on every layout against numpy (tables may be NULL) */
static void check_var(const char *name, const double *v, int r, int c,
                      double ddof, const double *all, const double *ax1,
                      const double *ax2) {
  int l;
  for (l = 0; l < NLAYOUT; l++) {
    lm_mat m = mkview(l, v, r, c);
    int good = 1, k;
    if (all) {
      good &= cmp(lm_reduce_all(LM_VAR, &m, ddof), all[0], 1e-12, 1e-12,
                  "var all");
      good &= cmp(lm_reduce_all(LM_STD, &m, ddof), sqrt(all[0]), 1e-12,
                  1e-12, "std all");
    }
    if (ax1) good &= check_axis(LM_VAR, &m, 1, ddof, ax1, l == L_SUB);
    if (ax2) good &= check_axis(LM_VAR, &m, 2, ddof, ax2, l == L_SUB);
    if (ax1 && c <= 8) {
      double s[8];
      for (k = 0; k < c && k < 8; k++) s[k] = sqrt(ax1[k]);
      good &= check_axis(LM_STD, &m, 1, ddof, s, 0);
    }
    ok(good, "%s %s var/std ddof=%g matches numpy", name, lname[l], ddof);
  }
}

/* ---- a plain reference for wide results ---------------------------------- */

/* op over n values x[i*s], the obvious way (long double sums) */
static double naive(lm_redop op, const double *x, int n, ptrdiff_t s) {
  long double acc = 0, mu;
  double b;
  int i, bi = 0;
  switch (op) {
    case LM_SUM: case LM_MEAN: case LM_NANSUM: case LM_NORM:
      for (i = 0; i < n; i++) {
        double v = x[i * s];
        if (op == LM_NANSUM && isnan(v)) continue;
        acc += (op == LM_NORM) ? (long double)v * v : v;
      }
      if (op == LM_MEAN) acc /= n;
      if (op == LM_NORM) acc = sqrtl(acc);
      return (double)acc;
    case LM_VAR: case LM_STD:
      for (i = 0; i < n; i++) acc += x[i * s];
      mu = acc / n;
      acc = 0;
      for (i = 0; i < n; i++) acc += (x[i * s] - mu) * (x[i * s] - mu);
      acc /= n;
      return (double)(op == LM_STD ? sqrtl(acc) : acc);
    case LM_MAX: case LM_MIN: case LM_ARGMAX: case LM_ARGMIN:
      b = x[0];
      for (i = 0; i < n && !isnan(b); i++) {
        double v = x[i * s];
        int gt = (op == LM_MAX || op == LM_ARGMAX) ? v > b : v < b;
        if (isnan(v) || gt) { b = v; bi = i; }
      }
      return (op == LM_MAX || op == LM_MIN) ? b : bi + 1;
    case LM_PROD:
      b = 1;
      for (i = 0; i < n; i++) b *= x[i * s];
      return b;
    case LM_ANY:
      for (i = 0; i < n; i++) if (x[i * s] != 0) return 1;
      return 0;
    case LM_ALL:
      for (i = 0; i < n; i++) if (x[i * s] == 0) return 0;
      return 1;
    default: return NAN;
  }
}

/* every op along axis of the (r, c) values v, on every layout, against
** naive() over the logical values */
static void check_naive(const char *name, const double *v, int r, int c,
                        int axis) {
  int l, op, k;
  int m = (axis == 1) ? c : r, n = (axis == 1) ? r : c;
  double *want = newbuf((size_t)m);
  for (op = 0; op < LM_NREDOP; op++) {
    int good = 1;
    for (k = 0; k < m; k++)
      want[k] = (axis == 1) ? naive((lm_redop)op, v + k, n, c)
                            : naive((lm_redop)op, v + k * c, n, 1);
    for (l = 0; l < NLAYOUT; l++) {
      lm_mat a = mkview(l, v, r, c);
      good &= check_axis((lm_redop)op, &a, axis, 0, want, l == L_SUB);
    }
    ok(good, "%s %s axis %d on all layouts matches a plain loop", name,
       opname[op], axis);
  }
}

static void test_reductions(void) {
  double *tv = newbuf(300 * 3), *wv = newbuf(3 * 300);
  int i, j;
  for (i = 0; i < 300; i++)
    for (j = 0; j < 3; j++)
      tv[i * 3 + j] = ((i * 37 + j * 101) % 257) / 16.0 - 8;
  for (i = 0; i < 3; i++)
    for (j = 0; j < 300; j++)
      wv[i * 300 + j] = ((i * 53 + j * 29) % 263) / 8.0 - 16;
  for (i = 0; i < 900; i++) {
    if (tv[i] != T_vals[i] || wv[i] != W_vals[i]) break;
  }
  ok(i == 900, "generated T and W equal numpy's");
  check_table("A", A_vals, 4, 5, A_all, A_ax1, A_ax2);
  check_table("AN (NaN)", AN_vals, 4, 5, AN_all, AN_ax1, AN_ax2);
  check_table("T 300x3", T_vals, 300, 3, T_all, T_ax1, NULL);
  check_table("W 3x300", W_vals, 3, 300, W_all, NULL, W_ax2);
  check_var("A", A_vals, 4, 5, 1, A_var1_all, A_var1_ax1, A_var1_ax2);
  check_var("A", A_vals, 4, 5, 4, A_var4_all, A_var4_ax1, A_var4_ax2);
  check_var("AN", AN_vals, 4, 5, 1, AN_var1_all, AN_var1_ax1, AN_var1_ax2);
  check_var("T", T_vals, 300, 3, 1, T_var1_all, T_var1_ax1, NULL);
  check_var("T", T_vals, 300, 3, 4, T_var4_all, T_var4_ax1, NULL);
  check_var("W", W_vals, 3, 300, 1, W_var1_all, NULL, W_var1_ax2);
  check_var("W", W_vals, 3, 300, 4, W_var4_all, NULL, W_var4_ax2);
  check_var("AN", AN_vals, 4, 5, 4, AN_var4_all, AN_var4_ax1, AN_var4_ax2);
  check_naive("W 3x300", W_vals, 3, 300, 1);
  check_naive("T 300x3", T_vals, 300, 3, 2);
  check_naive("AN", AN_vals, 4, 5, 1);
  check_naive("AN", AN_vals, 4, 5, 2);
}

/* infinities without NaN (the vertical max/min recheck such columns),
** and a NaN met four rows at a time; expected values from numpy */
static void test_inf(void) {
  static const double v[24] = {
    1, -INFINITY, 3, 1,   INFINITY, 2, -INFINITY, 2,   0, 5, 1, NAN,
    2, 2, 2, 4,   3, 1, 0, 9,   1, 0, 7, 0
  };
  static const double want1[4][4] = {  /* max, min, argmax, argmin axis 1 */
    {INFINITY, 5, 7, NAN}, {0, -INFINITY, -INFINITY, NAN},
    {2, 3, 6, 3}, {3, 1, 2, 3}
  };
  static const double want2[4][6] = {  /* the same along axis 2 */
    {3, INFINITY, NAN, 4, 9, 7}, {-INFINITY, -INFINITY, NAN, 2, 0, 0},
    {3, 1, 4, 4, 4, 3}, {2, 3, 4, 1, 3, 2}
  };
  static const lm_redop ops[4] = {LM_MAX, LM_MIN, LM_ARGMAX, LM_ARGMIN};
  int l, i;
  for (l = 0; l < NLAYOUT; l++) {
    lm_mat m = mkview(l, v, 6, 4);
    int good = 1;
    for (i = 0; i < 4; i++) {
      good &= check_axis(ops[i], &m, 1, 0, want1[i], 0);
      good &= check_axis(ops[i], &m, 2, 0, want2[i], 0);
    }
    good &= cmp(lm_reduce_all(LM_ARGMAX, &m, 0), 12, 0, 0, "argmax all");
    good &= cmp(lm_reduce_all(LM_ARGMIN, &m, 0), 12, 0, 0, "argmin all");
    good &= isnan(lm_reduce_all(LM_MAX, &m, 0));
    ok(good, "max/min/argmax/argmin with inf and NaN, %s, as numpy", lname[l]);
  }
}

/* var when n - ddof <= 0: numpy divides by max(n - ddof, 0) */
static void test_ddof(void) {
  double x[] = {1, 2}, y[] = {2, 2, 2}, z[] = {1, 2, 4};
  lm_mat a = lm_dense(x, 1, 2), b = lm_dense(y, 3, 1), c = lm_dense(z, 1, 3);
  ok(near(lm_reduce_all(LM_VAR, &a, 2), VDD[0], 0, 0),
     "var([1,2], ddof=2) is inf as numpy");
  ok(near(lm_reduce_all(LM_VAR, &b, 3), VDD[1], 0, 0),
     "var([2,2,2], ddof=3) is NaN as numpy");
  ok(near(lm_reduce_all(LM_VAR, &c, -1), VDD[2], 1e-15, 0),
     "var([1,2,4], ddof=-1) as numpy");
  ok(near(lm_reduce_all(LM_VAR, &a, 3), VDD[3], 0, 0),
     "var([1,2], ddof=3) is inf as numpy (divides by max(n - ddof, 0))");
}

/* empty inputs: the values of reductions over nothing, no reads */
static void test_empty(void) {
  lm_mat e = {NULL, 0, 3, 3, 1}, f = {NULL, 3, 0, 0, 1}, g = {NULL, 0, 0, 0, 1};
  lm_mat none = {NULL, 0, 1, 1, 1};
  int op, good, k;
  for (op = 0; op < LM_NREDOP; op++) {
    double o1[3] = {-7, -7, -7}, o2[3] = {-7, -7, -7};
    lm_mat r1 = lm_dense(o1, 1, 3), r2 = lm_dense(o2, 3, 1);
    good = 1;
    lm_reduce_axis((lm_redop)op, &e, 1, 0, &r1);
    lm_reduce_axis((lm_redop)op, &f, 2, 0, &r2);
    lm_reduce_axis((lm_redop)op, &e, 2, 0, &none);  /* 0 x 1: no writes */
    lm_reduce_axis((lm_redop)op, &f, 1, 0, &none);
    for (k = 0; k < 3; k++) {
      good &= cmp(o1[k], E_ax1[op * 3 + k], 0, 0, "0x3 axis 1");
      good &= cmp(o2[k], E_ax1[op * 3 + k], 0, 0, "3x0 axis 2");
    }
    good &= cmp(lm_reduce_all((lm_redop)op, &e, 0), E_ax1[op * 3], 0, 0, "0x3 all");
    good &= cmp(lm_reduce_all((lm_redop)op, &g, 0), E_ax1[op * 3], 0, 0, "0x0 all");
    ok(good, "empty %s: %g as numpy (max/min NaN, arg* 0: callers reject)",
       opname[op], E_ax1[op * 3]);
  }
  lm_cumsum(&e, 1, &e);
  lm_cumsum(&f, 2, &f);
  lm_softmax(&e, 2, 0, &e);
  lm_softmax(&f, 2, 1, &f);
  ok(isnan(lm_bce(&e, &e)) && isnan(lm_mse(&f, &f)) &&
     isnan(lm_cross_entropy(&e, &e, 0, 2)) &&
     isnan(lm_softmax_xent(&f, &f, 0, 2, &f)),
     "empty cumsum/softmax do nothing; empty losses are NaN");
}

static void test_cumsum(void) {
  int l, axis, i, j;
  for (axis = 1; axis <= 2; axis++) {
    const double *want = (axis == 1) ? A_cumsum1 : A_cumsum2;
    for (l = 0; l < NLAYOUT; l++) {
      lm_mat a = mkview(l, A_vals, 4, 5), o = mkview(l == L_T ? L_ROW : L_T, A_vals, 4, 5);
      int good = 1;
      lm_cumsum(&a, axis, &o);
      for (i = 0; i < 4; i++)
        for (j = 0; j < 5; j++)
          good &= cmp(AT(o, i, j), want[i * 5 + j], 0, 0, "cumsum");
      lm_cumsum(&a, axis, &a);  /* in place */
      for (i = 0; i < 4; i++)
        for (j = 0; j < 5; j++)
          good &= cmp(AT(a, i, j), want[i * 5 + j], 0, 0, "cumsum in place");
      ok(good, "cumsum axis %d %s (and in place) equals numpy", axis, lname[l]);
    }
  }
}

/* long sums: pairwise summation keeps numpy's accuracy */
static void test_long(void) {
  size_t i, n = 1000000;
  double *x = newbuf(2 * n), *y = newbuf(n), out[2];
  lm_mat flat = lm_dense(x, 1, (int)n), col = lm_dense(x, (int)n, 1);
  lm_mat two = lm_dense(x, (int)n, 2), twot = {x, 2, (int)n, 1, 2};
  lm_mat o2 = lm_dense(out, 1, 2), o2t = lm_dense(out, 2, 1), yv;
  for (i = 0; i < 2 * n; i++) x[i] = 0.1;
  ok(near(lm_reduce_all(LM_SUM, &flat, 0), LONG[0], 1e-13, 0),
     "sum of 10^6 x 0.1 = %.17g, numpy %.17g", lm_reduce_all(LM_SUM, &flat, 0),
     LONG[0]);
  ok(near(lm_reduce_all(LM_MEAN, &col, 0), LONG[1], 1e-13, 0),
     "mean of 10^6 x 0.1 as numpy");
  lm_reduce_axis(LM_SUM, &col, 1, 0, &o2);
  ok(near(out[0], LONG[0], 1e-13, 0), "10^6 x 1 axis 1 sum as numpy");
  lm_reduce_axis(LM_SUM, &flat, 2, 0, &o2);
  ok(near(out[0], LONG[0], 1e-13, 0), "1 x 10^6 axis 2 sum as numpy");
  lm_reduce_axis(LM_SUM, &two, 1, 0, &o2);
  ok(near(out[0], LONG[2], 1e-13, 0) && near(out[1], LONG[2], 1e-13, 0),
     "10^6 x 2 axis 1 sum %.17g: exact %.17g (numpy's naive axis-0 sum "
     "gives %.17g)", out[0], LONG[2], LONG[3]);
  lm_reduce_axis(LM_SUM, &twot, 2, 0, &o2t);
  ok(near(out[0], LONG[2], 1e-13, 0) && near(out[1], LONG[2], 1e-13, 0),
     "transposed 2 x 10^6 axis 2 sum accurate");
  for (i = 0; i < n; i++) y[i] = 1e9 + (double)(i % 7) * 0.25;
  yv = lm_dense(y, (int)n, 1);
  ok(near(lm_reduce_all(LM_VAR, &yv, 0), LONGVAR[0], 1e-10, 0) &&
     near(lm_reduce_all(LM_STD, &yv, 0), LONGVAR[1], 1e-10, 0) &&
     near(lm_reduce_all(LM_MEAN, &yv, 0), LONGVAR[2], 1e-15, 0),
     "two-pass var/std of 10^6 values near 1e9 as numpy (%.17g)",
     lm_reduce_all(LM_VAR, &yv, 0));
  yv = lm_dense(y, 1, (int)n);
  {
    double o[1];
    lm_mat ov = lm_dense(o, 1, 1);
    lm_reduce_axis(LM_VAR, &yv, 2, 0, &ov);
    ok(near(o[0], LONGVAR[0], 1e-10, 0), "two-pass var along axis 2 as numpy");
  }
}

/* ---- ML kernels -------------------------------------------------------- */

static void test_softmax(void) {
  const double *want[2][2] = {{Z_sm1, Z_lsm1}, {Z_sm2, Z_lsm2}};
  int l, axis, lg, i, j;
  for (axis = 1; axis <= 2; axis++)
    for (lg = 0; lg <= 1; lg++)
      for (l = 0; l < NLAYOUT; l++) {
        lm_mat a = mkview(l, Z_vals, 3, 4), o = mkview(L_SUB, Z_vals, 3, 4);
        int good = 1, fin = 1;
        lm_softmax(&a, axis, lg, &o);
        for (i = 0; i < 3; i++)
          for (j = 0; j < 4; j++) {
            good &= cmp(AT(o, i, j), want[axis - 1][lg][i * 4 + j], 1e-14,
                        1e-15, "softmax");
            fin &= isfinite(AT(o, i, j));
          }
        lm_softmax(&a, axis, lg, &a);  /* in place */
        for (i = 0; i < 3; i++)
          for (j = 0; j < 4; j++)
            good &= cmp(AT(a, i, j), want[axis - 1][lg][i * 4 + j], 1e-14,
                        1e-15, "softmax in place");
        ok(good && fin, "%s axis %d %s (logits +-1000) finite, equals scipy",
           lg ? "log_softmax" : "softmax", axis, lname[l]);
      }
  /* rows with infinities and NaN: as scipy.special (softmax takes the
  ** plain max, log_softmax replaces a non-finite max by 0) */
  for (l = 0; l < NLAYOUT; l++) {
    int good = 1;
    for (lg = 0; lg <= 1; lg++) {
      lm_mat a = mkview(l, ZI_vals, 4, 3), o = mkview(L_ROW, ZI_vals, 4, 3);
      lm_mat at = a, ot = o;
      at.rows = ot.rows = 3; at.cols = ot.cols = 4;  /* a:T(), o:T() */
      at.rs = a.cs; at.cs = a.rs; ot.rs = o.cs; ot.cs = o.rs;
      lm_softmax(&a, 2, lg, &o);
      for (i = 0; i < 4; i++)
        for (j = 0; j < 3; j++)
          good &= cmp(AT(o, i, j), (lg ? ZI_lsm : ZI_sm)[i * 3 + j], 1e-15,
                      0, "inf row");
      lm_softmax(&at, 1, lg, &ot);
      for (i = 0; i < 4; i++)
        for (j = 0; j < 3; j++)
          good &= cmp(AT(o, i, j), (lg ? ZI_lsm : ZI_sm)[i * 3 + j], 1e-15,
                      0, "inf column");
    }
    ok(good, "softmax/log_softmax of rows with inf and NaN as scipy, %s",
       lname[l]);
  }
  /* 300 samples: one sample at a time and CB samples side by side agree */
  {
    int n = 300, k = 5, good = 1;
    double *v = newbuf((size_t)n * k), *vt = newbuf((size_t)n * k);
    lm_mat a, at, b, c, d, ct;
    for (i = 0; i < n; i++)
      for (j = 0; j < k; j++)
        vt[j * n + i] = v[i * k + j] = ((i * 7 + j * 13) % 31) / 3.0 - 5;
    a = mkview(L_ROW, v, n, k); at = mkview(L_ROW, vt, k, n);
    b = mkview(L_ROW, v, n, k); c = mkview(L_ROW, vt, k, n);
    d = at; d.rows = n; d.cols = k; d.rs = 1; d.cs = n;  /* at:T() */
    ct = c; ct.rows = n; ct.cols = k; ct.rs = 1; ct.cs = n;  /* c:T() */
    for (lg = 0; lg <= 1; lg++) {
      lm_softmax(&a, 2, lg, &b);
      lm_softmax(&at, 1, lg, &c);
      for (i = 0; i < n; i++)
        for (j = 0; j < k; j++)
          good &= cmp(AT(c, j, i), AT(b, i, j), 1e-15, 1e-300, "vertical");
      lm_softmax(&d, 2, lg, &ct);
      for (i = 0; i < n; i++)
        for (j = 0; j < k; j++)
          good &= cmp(AT(ct, i, j), AT(b, i, j), 1e-15, 1e-300, "transposed");
    }
    ok(good, "softmax of 300 samples: rows, columns and transposed agree");
  }
}

static void test_bce(void) {
  int l, good = 1;
  for (l = 0; l < NLAYOUT; l++) {
    lm_mat a = mkview(l, BA_vals, 2, 4), y = mkview(L_ROW, BY_vals, 2, 4);
    double v = lm_bce(&a, &y);
    good &= isfinite(v) && cmp(v, BCE[0], 1e-14, 0, "bce");
  }
  ok(good, "bce with a = 0 and 1 is finite and equals numpy's clamped value");
  {
    double a[] = {0, 1, 1, 0}, y[] = {0, 1, 0, 1};
    lm_mat ma = lm_dense(a, 1, 2), my = lm_dense(y, 1, 2);
    ok(lm_bce(&ma, &my) == 0, "bce of exact predictions is 0 (0*log 0 skipped)");
    ma.data = a + 2; my.data = y + 2;
    ok(near(lm_bce(&ma, &my), -log(DBL_MIN), 1e-15, 0),
       "bce of certain wrong predictions is -log(DBL_MIN)");
  }
}

static void test_cross_entropy(void) {
  double lab[4] = {0, 2, 0, 1}, lab2[8] = {0, -9, 2, -9, 0, -9, 1, -9};
  double oh[12], bad[4];
  lm_mat lc = lm_dense(lab, 4, 1), lr = {lab2, 1, 4, 8, 2};
  int l, i, good = 1;
  for (i = 0; i < 12; i++) oh[i] = (i % 3 == (int)lab[i / 3]);
  for (l = 0; l < NLAYOUT; l++) {
    lm_mat p = mkview(l, P_vals, 4, 3), t = mkview(l, oh, 4, 3);
    lm_mat pt = p, tt = t;
    pt.rows = 3; pt.cols = 4; pt.rs = p.cs; pt.cs = p.rs;  /* p:T() */
    tt.rows = 3; tt.cols = 4; tt.rs = t.cs; tt.cs = t.rs;
    good &= cmp(lm_cross_entropy(&p, &t, 0, 2), CE[0], 1e-14, 0, "one-hot");
    good &= cmp(lm_cross_entropy(&p, &lc, 1, 2), CE[0], 1e-14, 0, "labels");
    good &= cmp(lm_cross_entropy(&p, &lr, 1, 2), CE[0], 1e-14, 0, "labels 1xN");
    good &= cmp(lm_cross_entropy(&pt, &tt, 0, 1), CE[0], 1e-14, 0, "axis 1");
    good &= cmp(lm_cross_entropy(&pt, &lr, 1, 1), CE[0], 1e-14, 0, "axis 1 lab");
  }
  ok(good, "cross_entropy (p = 0 at a label) with one-hot and labels, both "
     "axes, all layouts, equals numpy's clamped value");
  {
    lm_mat p = lm_dense((double *)P_vals, 4, 3), bl = lm_dense(bad, 4, 1);
    const double bads[4] = {3, 1.5, -1, NAN};
    good = 1;
    for (i = 0; i < 4; i++) {
      memcpy(bad, lab, sizeof bad);
      bad[2] = bads[i];
      good &= isnan(lm_cross_entropy(&p, &bl, 1, 2));
    }
    ok(good, "cross_entropy of a bad label (3, 1.5, -1, NaN with K = 3) is NaN");
  }
}

/* softmax_xent of (N, K) logits v in four arrangements: axis 2 on a dense
** (N, K), axis 1 on a dense (K, N) copy, axis 2 on that copy's transpose,
** axis 1 on the transpose of the dense (N, K) */
static lm_mat arrange(int how, double *v, double *vt, int n, int k) {
  lm_mat m;
  switch (how) {
    case 1: m = lm_dense(vt, k, n); break;
    case 2: m = lm_dense(vt, k, n); m.rows = n; m.cols = k; m.rs = 1; m.cs = n; break;
    case 3: m = lm_dense(v, n, k); m.rows = k; m.cols = n; m.rs = 1; m.cs = k; break;
    default: m = lm_dense(v, n, k); break;
  }
  return m;
}
static int arr_axis(int how) { return (how == 1 || how == 3) ? 1 : 2; }
/* element (sample i, class j) of an arranged matrix */
static double *sel(const lm_mat *m, int how, int i, int j) {
  return arr_axis(how) == 2 ? &AT(*m, i, j) : &AT(*m, j, i);
}

static void test_xent(void) {
  enum { N = 5, K = 4 };
  double z[N * K], zt[N * K], g[N * K], gt[N * K], t[N * K], tt[N * K];
  double labs[N], ls[N * K];
  int how, i, j, mode;
  for (i = 0; i < N; i++) {
    labs[i] = XENT_LAB[i];
    for (j = 0; j < K; j++) {
      z[i * K + j] = zt[j * N + i] = Z2_vals[i * K + j];
      t[i * K + j] = tt[j * N + i] = (j == (int)labs[i]);
    }
  }
  for (how = 0; how < 4; how++)
    for (mode = 0; mode < 2; mode++) {
      lm_mat zm = arrange(how, z, zt, N, K), gm = arrange(how, g, gt, N, K);
      lm_mat tm = arrange(how, t, tt, N, K), lm = lm_dense(labs, N, 1);
      double loss, ref = 0;
      int good = 1;
      loss = lm_softmax_xent(&zm, mode ? &lm : &tm, mode, arr_axis(how), &gm);
      good &= cmp(loss, XENT[0], 1e-14, 0, "loss");
      for (i = 0; i < N; i++)
        for (j = 0; j < K; j++)
          good &= cmp(*sel(&gm, how, i, j), XENT_grad[i * K + j], 1e-12,
                      1e-15, "grad");
      /* the same loss through lm_softmax's log_softmax */
      {
        lm_mat lsm = lm_dense(ls, zm.rows, zm.cols);
        lm_softmax(&zm, arr_axis(how), 1, &lsm);
        for (i = 0; i < N; i++) ref -= *sel(&lsm, how, i, (int)labs[i]);
        good &= cmp(loss, ref / N, 1e-14, 0, "log_softmax");
      }
      ok(good && isfinite(loss), "softmax_xent %s axis %d (logits +-1000) "
         "equals -mean(log_softmax[label]) and scipy; grad as numpy",
         mode ? "labels" : "one-hot", arr_axis(how));
    }
  /* infinite logits: the loss is -log_softmax as scipy's (which replaces
  ** a non-finite max by 0): 0.313... for [-inf 0 1] class 2, inf for
  ** [inf 1 2] class 1; the softmax of [-inf 0 1] has a 0 */
  {
    double zi[6], li[2] = {2, 1}, gi[6];
    lm_mat zm = lm_dense(zi, 2, 3), lm = lm_dense(li, 2, 1), gm = lm_dense(gi, 2, 3);
    memcpy(zi, ZI_vals, 3 * sizeof(double));
    memcpy(zi + 3, ZI_vals + 6, 3 * sizeof(double));
    zm.rows = 1;
    ok(near(lm_softmax_xent(&zm, &lm, 1, 2, &gm), -ZI_lsm[2], 1e-15, 0) &&
       gi[0] == 0, "softmax_xent of logits [-inf 0 1] as scipy, grad 0 at -inf");
    zm.rows = 2;
    ok(lm_softmax_xent(&zm, &lm, 1, 2, NULL) == INFINITY,
       "softmax_xent with a +inf logit off the label is inf (scipy: -log_softmax)");
  }
  /* bad labels: NaN, gradient untouched */
  {
    lm_mat zm = lm_dense(z, N, K), gm = lm_dense(g, N, K), lm = lm_dense(labs, N, 1);
    for (i = 0; i < N * K; i++) g[i] = 42;
    labs[3] = 4;
    ok(isnan(lm_softmax_xent(&zm, &lm, 1, 2, &gm)) && g[0] == 42 && g[N * K - 1] == 42,
       "softmax_xent of a bad label is NaN and leaves grad alone");
    labs[3] = XENT_LAB[3];
  }
}

/* finite differences of softmax_xent against its gradient, for labels,
** one-hot and soft targets (a row summing to 0.5 included) */
static void test_xent_fd(void) {
  enum { N = 4, K = 3 };
  static const double z0[N * K] = {0.3, -1.2, 2.0, 1.5, 0.1, -0.7,
                                   -2.2, 0.4, 0.9, 3.0, 2.9, -1.0};
  static const double soft[N * K] = {0.2, 0.3, 0.5, 1, 0, 0,
                                     0, 0.5, 0.5, 0.1, 0.1, 0.3};
  double z[N * K], zt[N * K], g[N * K], gt[N * K], t[N * K], tt[N * K];
  double labs[N] = {2, 0, 1, 1};
  int how, mode, i, j;
  for (mode = 0; mode < 3; mode++)
    for (how = 0; how < 4; how++) {
      lm_mat zm, gm, tm, lm = lm_dense(labs, 1, N);
      double maxerr = 0;
      for (i = 0; i < N; i++)
        for (j = 0; j < K; j++) {
          z[i * K + j] = zt[j * N + i] = z0[i * K + j];
          t[i * K + j] = tt[j * N + i] = (mode == 2) ? soft[i * K + j]
                                                      : (j == (int)labs[i]);
        }
      zm = arrange(how, z, zt, N, K); gm = arrange(how, g, gt, N, K);
      tm = arrange(how, t, tt, N, K);
      lm_softmax_xent(&zm, mode == 1 ? &lm : &tm, mode == 1, arr_axis(how), &gm);
      for (i = 0; i < N; i++)
        for (j = 0; j < K; j++) {
          double *p = sel(&zm, how, i, j), h = 1e-6, v = *p, fp, fm, fd;
          *p = v + h;
          fp = lm_softmax_xent(&zm, mode == 1 ? &lm : &tm, mode == 1, arr_axis(how), NULL);
          *p = v - h;
          fm = lm_softmax_xent(&zm, mode == 1 ? &lm : &tm, mode == 1, arr_axis(how), NULL);
          *p = v;
          fd = (fp - fm) / (2 * h);
          if (fabs(fd - *sel(&gm, how, i, j)) > maxerr)
            maxerr = fabs(fd - *sel(&gm, how, i, j));
        }
      ok(maxerr < 1e-8, "softmax_xent grad (%s, axis %d, %s) matches finite "
         "differences (max err %.2g)", mode == 0 ? "one-hot" : mode == 1 ?
         "labels" : "soft targets", arr_axis(how),
         how >= 2 ? "transposed view" : "dense", maxerr);
    }
  /* 300 samples: per-row and CB-at-a-time paths agree */
  {
    enum { M = 300, C = 5 };
    double *v = newbuf(M * C), *vt = newbuf(M * C), *g1 = newbuf(M * C);
    double *g2 = newbuf(M * C), *lb = newbuf(M);
    lm_mat a, b, ga, gb, l1 = lm_dense(lb, M, 1);
    double la, lbv;
    int good = 1;
    for (i = 0; i < M; i++) {
      lb[i] = (i * 7) % C;
      for (j = 0; j < C; j++)
        vt[j * M + i] = v[i * C + j] = ((i * 11 + j * 5) % 37) / 4.0 - 4;
    }
    a = lm_dense(v, M, C); b = lm_dense(vt, C, M);
    ga = lm_dense(g1, M, C); gb = lm_dense(g2, C, M);
    la = lm_softmax_xent(&a, &l1, 1, 2, &ga);
    lbv = lm_softmax_xent(&b, &l1, 1, 1, &gb);
    good &= cmp(lbv, la, 1e-14, 0, "loss");
    for (i = 0; i < M; i++)
      for (j = 0; j < C; j++) good &= cmp(AT(gb, j, i), AT(ga, i, j), 1e-14, 1e-300, "grad");
    ok(good, "softmax_xent of 300 samples: per-row and column-chunked agree");
  }
}

static void test_mse_r2(void) {
  int l, good = 1;
  for (l = 0; l < NLAYOUT; l++) {
    lm_mat a = mkview(l, MA_vals, 3, 2), b = mkview(L_ROW, MB_vals, 3, 2);
    good &= cmp(lm_mse(&a, &b), MSE[0], 1e-15, 0, "mse");
    good &= cmp(lm_mse(&b, &a), MSE[0], 1e-15, 0, "mse");
  }
  ok(good, "mse on all layouts equals numpy");
  {
    double y1[] = {3, -0.5, 2, 7}, h1[] = {2.5, 0, 2, 8};
    double y2[] = {1, 2, 3}, y3[] = {2, 2, 2}, h3[] = {2, 2, 2.5}, h2[] = {3, 2, 1};
    double Y4[] = {1, 2, 3, 3, 5, 7}, H4[] = {1.5, 2, 3, 3.5, 4, 7};
    double Y5[] = {1, 2, 3, 2, 5, 2};
    lm_mat a = lm_dense(y1, 4, 1), b = lm_dense(h1, 1, 4);
    ok(near(lm_r2(&a, &b), R2[0], 1e-15, 0), "r2 equals sklearn (n x 1 vs 1 x n)");
    a = lm_dense(y2, 1, 3);
    ok(lm_r2(&a, &a) == R2[1], "r2 of a perfect prediction is 1");
    a = lm_dense(y3, 3, 1); b = lm_dense(y3, 3, 1);
    ok(lm_r2(&a, &b) == R2[2], "r2 of constant y predicted exactly is 1.0 (sklearn)");
    b = lm_dense(h3, 3, 1);
    ok(lm_r2(&a, &b) == R2[3], "r2 of constant y predicted inexactly is 0.0 (sklearn)");
    a = lm_dense(y2, 3, 1); b = lm_dense(h2, 3, 1);
    ok(near(lm_r2(&a, &b), R2[7], 1e-15, 0), "r2 can be negative (-3, sklearn)");
    a = lm_dense(Y4, 3, 2); b = lm_dense(H4, 3, 2);
    ok(near(lm_r2(&a, &b), R2[4], 1e-15, 0), "r2 of 3x2 is sklearn's uniform average");
    a = lm_dense(Y5, 3, 2);
    ok(near(lm_r2(&a, &b), R2[5], 1e-15, 0), "r2 of 3x2 with a constant column as sklearn");
    {
      double yt[6], ht[6];
      int i, j;
      for (i = 0; i < 3; i++)
        for (j = 0; j < 2; j++) { yt[j * 3 + i] = Y5[i * 2 + j]; ht[j * 3 + i] = H4[i * 2 + j]; }
      a = lm_dense(yt, 2, 3); b = lm_dense(ht, 2, 3);
      a.rows = b.rows = 3; a.cols = b.cols = 2; a.rs = b.rs = 1; a.cs = b.cs = 3;
      ok(near(lm_r2(&a, &b), R2[5], 1e-15, 0), "r2 of transposed 3x2 views as sklearn");
    }
    a = lm_dense(y1, 1, 1); b = lm_dense(h1, 1, 1);
    ok(isnan(lm_r2(&a, &b)) && isnan(R2[6]), "r2 of one sample is NaN (sklearn)");
  }
}

static void test_one_hot(void) {
  double lab[] = {2, 99, 0, 99, 1, 99, 2}, out[12], b[3];
  lm_mat l = {lab, 1, 4, 8, 2}, o = lm_dense(out, 4, 3), bl;
  int i, good = 1;
  for (i = 0; i < 12; i++) out[i] = -1;
  ok(lm_one_hot(&l, 3, &o) == -1, "one_hot of a strided 1 x 4 view accepts 2 0 1 2");
  for (i = 0; i < 12; i++) good &= out[i] == (i % 3 == (int)lab[2 * (i / 3)]);
  ok(good, "one_hot sets the right ones and zeros the rest");
  b[0] = 0; b[1] = 3; b[2] = 1;
  bl = lm_dense(b, 3, 1); o = lm_dense(out, 3, 3);
  ok(lm_one_hot(&bl, 3, &o) == 1, "one_hot reports label 3 (k = 3) at position 1");
  b[1] = 0.5;
  ok(lm_one_hot(&bl, 3, &o) == 1, "one_hot reports a non-integer label");
  b[1] = 1; b[2] = -1;
  ok(lm_one_hot(&bl, 3, &o) == 2, "one_hot reports a negative label");
  b[2] = NAN;
  ok(lm_one_hot(&bl, 3, &o) == 2, "one_hot reports a NaN label");
}

int main(void) {
  test_reductions();
  test_inf();
  test_ddof();
  test_empty();
  test_cumsum();
  test_long();
  test_softmax();
  test_bce();
  test_cross_entropy();
  test_xent();
  test_xent_fd();
  test_mse_r2();
  test_one_hot();
  freebufs();
  return tap_end();
}

/*
** The generator of the reference values above:
**
**   # Reference values for spec/c/test_core_red.c (numpy 1.24, scipy 1.10,
**   # scikit-learn 1.2; run with Debian's /usr/bin/python3).
**   import math, warnings
**   import numpy as np
**   from scipy.special import softmax, log_softmax
**   from sklearn.metrics import r2_score
**   warnings.simplefilter("ignore")
**   nan = float("nan")
**
**   def c(v):
**       v = float(v)
**       if math.isnan(v): return "NAN"
**       if math.isinf(v): return "INFINITY" if v > 0 else "-INFINITY"
**       return repr(v)
**
**   def arr(name, vals):
**       vals = [c(v) for v in np.asarray(vals, dtype=float).ravel()]
**       lines, line = [], "  "
**       for s in vals:
**           if len(line) + len(s) + 2 > 78:
**               lines.append(line.rstrip()); line = "  "
**           line += s + ", "
**       lines.append(line.rstrip())
**       print("static const double %s[%d] = {\n%s\n};" % (name, max(len(vals), 1), "\n".join(lines)))
**
**   OPS = ["sum", "mean", "max", "min", "argmax", "argmin", "prod", "var", "std",
**          "norm", "nansum", "any", "all"]
**
**   def red(op, a, axis):  # axis None, 0 (luaml 1) or 1 (luaml 2)
**       f = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
**            "prod": np.prod, "var": np.var, "std": np.std, "nansum": np.nansum,
**            "any": np.any, "all": np.all}
**       if op in ("argmax", "argmin"):
**           return getattr(np, op)(a, axis=axis) + 1
**       if op == "norm":
**           return np.linalg.norm(a) if axis is None else np.linalg.norm(a, axis=axis)
**       return f[op](a, axis=axis)
**
**   def tables(name, a, axes=(None, 0, 1)):
**       arr(name + "_vals", a)
**       for ax, tag in ((None, "all"), (0, "ax1"), (1, "ax2")):
**           if ax not in axes: continue
**           arr("%s_%s" % (name, tag), np.concatenate(
**               [np.atleast_1d(red(op, a, ax)).astype(float) for op in OPS]))
**       for ddof in (1, 4):
**           for ax, tag in ((None, "all"), (0, "ax1"), (1, "ax2")):
**               if ax not in axes: continue
**               arr("%s_var%d_%s" % (name, ddof, tag), np.atleast_1d(np.var(a, axis=ax, ddof=ddof)))
**
**   A = np.array([[3, -1, 9, 9, 0.5], [9, 2, -4, 7, 2], [-4, 2, 6, 0, 2], [5, 8, -4, 1.5, 0]])
**   AN = np.array([[1, nan, 3, 4, nan], [2, 5, nan, 1, 0], [7, 7, -1, 2, 3], [nan, 0, -1, 8, 2]])
**   T = np.array([[((i * 37 + j * 101) % 257) / 16 - 8 for j in range(3)] for i in range(300)])
**   W = np.array([[((i * 53 + j * 29) % 263) / 8 - 16 for j in range(300)] for i in range(3)])
**   tables("A", A); tables("AN", AN)
**   tables("T", T, (None, 0)); tables("W", W, (None, 1))
**   arr("A_cumsum1", np.cumsum(A, axis=0)); arr("A_cumsum2", np.cumsum(A, axis=1))
**   E = np.zeros((0, 3))
**   arr("E_ax1", np.concatenate([np.atleast_1d(red(op, E, 0)).astype(float)
**       if op not in ("max", "min", "argmax", "argmin") else [nan if op in ("max", "min") else 0] * 3 for op in OPS]))
**   arr("VDD", [np.var([1., 2.], ddof=2), np.var([2., 2., 2.], ddof=3), np.var([1., 2., 4.], ddof=-1),
**               np.var([1., 2.], ddof=3)])
**   x = np.full(10**6, 0.1)
**   arr("LONG", [x.sum(), x.mean(), math.fsum(x), np.full((10**6, 2), 0.1).sum(axis=0)[0]])
**   y = 1e9 + (np.arange(10**6) % 7) * 0.25
**   arr("LONGVAR", [y.var(), y.std(), y.mean()])
**
**   Z = np.array([[1, 2, 3, 4], [1000, -1000, 0, 1], [-5, -5, -5, -5.]])
**   arr("Z_sm2", softmax(Z, axis=1)); arr("Z_lsm2", log_softmax(Z, axis=1))
**   arr("Z_sm1", softmax(Z, axis=0)); arr("Z_lsm1", log_softmax(Z, axis=0))
**   inf = np.inf
**   ZI = np.array([[-inf, 0, 1], [-inf, -inf, -inf], [inf, 1, 2], [nan, 0, 1]])
**   arr("ZI_vals", ZI); arr("ZI_sm", softmax(ZI, axis=1)); arr("ZI_lsm", log_softmax(ZI, axis=1))
**
**   DBL_MIN = np.finfo(float).tiny
**   def slog(p): return np.log(np.maximum(p, DBL_MIN))
**   ba = np.array([[0, 1, 0.5, 0.9], [0, 1, 0.2, 0.999]])
**   by = np.array([[0, 1, 1, 0], [1, 0, 0.3, 1.]])
**   t1 = np.where(by != 0, by * slog(ba), 0.0)
**   t2 = np.where(1 - by != 0, (1 - by) * slog(1 - ba), 0.0)
**   arr("BCE", [np.mean(-(t1 + t2))])
**
**   P = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.0, 1.0, 0.0], [0.25, 0.5, 0.25]])
**   lab = np.array([0, 2, 0, 1])
**   arr("CE", [np.mean(-slog(P[np.arange(4), lab]))])
**
**   Z2 = np.array([[1, 2, 3, 4], [1000, -1000, 0, 1], [-5, -5, -5, -5],
**                  [0.5, -0.25, 2, 1e-3], [-1000, 0, 1000, 3.]])
**   lab2 = np.array([3, 1, 0, 2, 0])
**   ls2 = log_softmax(Z2, axis=1)
**   arr("XENT", [np.mean(-ls2[np.arange(5), lab2])])
**   arr("XENT_grad", (softmax(Z2, axis=1) - np.eye(4)[lab2]) / 5)
**
**   ma = np.array([[1, 2], [3, 4], [5, 6.5]]); mb = np.array([[1.5, 2], [2, 4.25], [5, 9]])
**   arr("MSE", [np.mean((ma - mb) ** 2)])
**   arr("R2", [r2_score([3, -0.5, 2, 7], [2.5, 0, 2, 8]), r2_score([1, 2, 3], [1, 2, 3]),
**              r2_score([2, 2, 2], [2, 2, 2]), r2_score([2, 2, 2], [2, 2, 2.5]),
**              r2_score([[1, 2], [3, 3], [5, 7.]], [[1.5, 2], [3, 3.5], [4, 7.]]),
**              r2_score([[1, 2], [3, 2], [5, 2.]], [[1.5, 2], [3, 3.5], [4, 7.]]),
**              r2_score([1.], [2.]), r2_score([1, 2, 3], [3, 2, 1])])
**   arr("Z_vals", Z); arr("BA_vals", ba); arr("BY_vals", by); arr("P_vals", P)
**   arr("Z2_vals", Z2); arr("XENT_LAB", lab2); arr("MA_vals", ma); arr("MB_vals", mb)
*/
