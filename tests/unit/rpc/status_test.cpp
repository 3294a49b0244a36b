#include "orderly/rpc/status.h"

#include <gtest/gtest.h>

namespace orderly::rpc {
namespace {

TEST(StatusTest, EachErrorKindHasItsCode) {
  EXPECT_EQ(ToGrpcStatus(InvalidArgument("lines[0].quantity", "must be positive")).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpcStatus(NotFound("order x")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(AlreadyExists("sku y")).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ToGrpcStatus(FailedPrecondition("not pending")).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(Conflict("version moved")).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ToGrpcStatus(Unavailable("shard down")).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(StatusTest, InvalidArgumentMessageNamesTheField) {
  EXPECT_EQ(ToGrpcStatus(InvalidArgument("lines[0].quantity", "must be positive")).error_message(),
            "lines[0].quantity: must be positive");
}

TEST(StatusTest, InternalDetailsDoNotLeak) {
  const grpc::Status status = ToGrpcStatus(Internal("password=secret in DSN"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message().find("secret"), std::string::npos);
}

TEST(StatusTest, UntypedExceptionIsInternal) {
  const grpc::Status status = ToGrpcStatus(std::runtime_error("boom at 0xdeadbeef"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message().find("deadbeef"), std::string::npos);
}

TEST(StatusTest, GuardReturnsOkOrTheMappedStatus) {
  EXPECT_TRUE(Guard([] {}).ok());
  EXPECT_EQ(Guard([] { throw NotFound("x"); }).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Guard([] { throw 42; }).error_code(), grpc::StatusCode::INTERNAL);
}

}  // namespace
}  // namespace orderly::rpc
