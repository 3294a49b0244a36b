#pragma once

#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

/// Runs `call`, which may use the grpc::ClientContext named `context` it declares, and fails the
/// test unless the call returns OK.
#define ASSERT_RPC_OK(call)                             \
  do {                                                  \
    grpc::ClientContext context;                        \
    const grpc::Status status = (call);                 \
    ASSERT_TRUE(status.ok()) << status.error_message(); \
  } while (false)
