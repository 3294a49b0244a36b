#include "orderly/order/order.h"

int main(int argc, char** argv) { return orderly::app::RunService(argc, argv, orderly::order::Definition()); }
