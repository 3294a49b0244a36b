#include "orderly/payment/payment.h"

int main(int argc, char** argv) { return orderly::app::RunService(argc, argv, orderly::payment::Definition()); }
