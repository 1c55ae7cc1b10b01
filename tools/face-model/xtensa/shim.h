/* Included first in the Xtensa build (measurement only): picolibc has setjmp but not the sig* forms wasm2c's runtime names. */
#include <setjmp.h>
#define sigsetjmp(buffer, savemask) setjmp(buffer)
#define siglongjmp(buffer, value) longjmp(buffer, value)
