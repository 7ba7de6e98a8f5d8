/* apportion: contract_sum (being written). */
#ifndef APPORTION_CONTRACT_SUM_H
#define APPORTION_CONTRACT_SUM_H
#endif
