#include "orderly/common/page_token.h"

#include <gtest/gtest.h>

#include <climits>

#include "orderly/common/errors.h"

namespace orderly::page_token {
namespace {

TEST(PageTokenTest, ANumberAndIdTokenReadsBackWhatItNames) {
  EXPECT_EQ(ParseNumberAndId("t", NumberAndId(1795625282000000, "order:1")),
            std::make_pair(int64_t{1795625282000000}, std::string("order:1")));
  EXPECT_EQ(ParseNumberAndId("t", NumberAndId(INT64_MIN, "x")), std::make_pair(int64_t{INT64_MIN}, std::string("x")));
}

TEST(PageTokenTest, ATokenThisServiceDidNotIssueNamesTheField) {
  for (const std::string token : {"", ":", "12", "12:", ":id", "x1:id", "1x:id", "99999999999999999999:id", " 1:id"}) {
    try {
      (void)ParseNumberAndId("page.page_token", token);
      ADD_FAILURE() << "'" << token << "' was accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(e.field(), "page.page_token") << token;
    }
  }
}

TEST(PageTokenTest, ANumberTokenIsANonNegativeDecimalAndEmptyStartsAtZero) {
  EXPECT_EQ(ParseNumber("t", ""), 0);
  EXPECT_EQ(ParseNumber("t", "42"), 42);
  for (const std::string token : {"-1", "4 2", "0x10", "+1", "99999999999999999999", "1.5"}) {
    EXPECT_THROW((void)ParseNumber("page.page_token", token), InvalidArgument) << token;
  }
}

}  // namespace
}  // namespace orderly::page_token
