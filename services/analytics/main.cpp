#include "orderly/analytics/analytics.h"

int main(int argc, char** argv) { return orderly::app::RunService(argc, argv, orderly::analytics::Definition()); }
