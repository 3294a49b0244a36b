#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace orderly::ctl {

/// `token mint --sub SUB --scope SCOPE[,SCOPE...] [--ttl SECONDS]`: prints a token signed with the
/// config's auth.service_key_file (the local stack's key), for ORDERLY_TOKEN or other clients.
void TokenMint(Clients& clients, const Output& out, const std::vector<std::string>& args);

}  // namespace orderly::ctl
