#include "orderly/inventory/inventory.h"

int main(int argc, char** argv) { return orderly::app::RunService(argc, argv, orderly::inventory::Definition()); }
