/* apportion: savings (being written). */
#ifndef APPORTION_SAVINGS_H
#define APPORTION_SAVINGS_H
#endif
