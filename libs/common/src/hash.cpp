#include "orderly/common/hash.h"

#include <cstdio>

namespace orderly {

uint64_t StableHash(std::string_view key) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  // FNV alone clusters similar keys ("order-1", "order-2"); the finalizer spreads them.
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 31;
  return hash;
}

std::string NameBasedUuid(std::string_view name) {
  const uint64_t high = StableHash(name);
  const uint64_t low = StableHash(std::string(name) + "\x01orderly");
  char text[37];
  std::snprintf(text, sizeof text, "%08llx-%04llx-8%03llx-%04llx-%012llx", static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xffff), static_cast<unsigned long long>(high & 0x0fff),
                static_cast<unsigned long long>(0x8000 | ((low >> 48) & 0x3fff)),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return text;
}

}  // namespace orderly
