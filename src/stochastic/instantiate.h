/* src/stochastic/instantiate.h: compile one kernel body for both element types. Before including,
 * define STO_KERNEL as the .inc file's name. The body is written in T (the element type), SFX (the
 * name suffix, via CAT) and the math functions SQRT, EXP, FABS, POW of that type; casting the
 * double-precision scalars to T once keeps a float32 body from widening to double. No include
 * guard: it is meant to be included once per kind. */
#ifndef STO_KERNEL
#error "define STO_KERNEL before including instantiate.h"
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#define T double
#define SFX f64
#define SQRT sqrt
#define EXP exp
#define FABS fabs
#define POW pow
#include STO_KERNEL
#undef T
#undef SFX
#undef SQRT
#undef EXP
#undef FABS
#undef POW

#define T float
#define SFX f32
#define SQRT sqrtf
#define EXP expf
#define FABS fabsf
#define POW powf
#include STO_KERNEL
#undef T
#undef SFX
#undef SQRT
#undef EXP
#undef FABS
#undef POW

#undef STO_KERNEL
