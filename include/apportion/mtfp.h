/* apportion: mtfp (being written). */
#ifndef APPORTION_MTFP_H
#define APPORTION_MTFP_H
#endif
