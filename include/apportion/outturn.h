/* apportion: outturn (being written). */
#ifndef APPORTION_OUTTURN_H
#define APPORTION_OUTTURN_H
#endif
