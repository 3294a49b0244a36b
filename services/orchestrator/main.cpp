#include "orderly/orchestrator/orchestrator.h"

int main(int argc, char** argv) {
  return orderly::app::RunService(argc, argv, orderly::orchestrator::Definition());
}
