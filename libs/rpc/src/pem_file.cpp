#include "pem_file.h"

#include <fstream>
#include <sstream>

#include "orderly/common/errors.h"

namespace orderly::rpc {

std::string ReadPemFile(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) throw InvalidArgument(key, "cannot read PEM file " + path);
  return text.str();
}

}  // namespace orderly::rpc
