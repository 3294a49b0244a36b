#include "orderly/pg/cluster.h"

#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "orderly/pg/migrations.h"
#include "test_env.h"

namespace orderly::pg {
namespace {

using orderly::testing::TestPlatform;
using orderly::testing::UniqueName;

class ClusterTest : public ::testing::Test {
 protected:
  ClusterTest() : schema_(UniqueName("pgtest")), cluster_(TestPlatform().postgres, schema_) {
    ApplyMigrations(cluster_, {{"test", {{1, "0001_accounts", "CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL)"}}}});
  }

  int64_t Count(size_t shard) {
    return cluster_.Transact(shard, [](Transaction& tx) { return tx.Exec("SELECT count(*) FROM accounts").One().Int(0); });
  }

  std::string schema_;
  Cluster cluster_;
};

TEST_F(ClusterTest, TransactionCommitsAndReturnsItsValue) {
  const auto balance = cluster_.Transact(0, [](Transaction& tx) {
    tx.Exec("INSERT INTO accounts (id, balance) VALUES ($1, $2)", {"a", int64_t{100}});
    return tx.Exec("SELECT balance FROM accounts WHERE id = $1", {"a"}).One().Int(0);
  });
  EXPECT_EQ(balance, 100);
  EXPECT_EQ(Count(0), 1);
}

TEST_F(ClusterTest, SessionsPlanGenericallyAndSeeOnlyTheirSchema) {
  const auto settings = cluster_.Transact(1, [](Transaction& tx) {
    const Row row = tx.Exec("SELECT current_setting('plan_cache_mode'), current_schema()").One();
    return std::make_pair(row.String(0), row.String(1));
  });
  EXPECT_EQ(settings.first, "force_generic_plan");
  EXPECT_EQ(settings.second, schema_);
}

TEST_F(ClusterTest, ThrowingCallbackRollsBackEverything) {
  EXPECT_THROW(cluster_.Transact(0,
                                 [](Transaction& tx) {
                                   tx.Exec("INSERT INTO accounts (id, balance) VALUES ('a', 1)");
                                   throw InvalidArgument("lines", "rejected after the first write");
                                 }),
               InvalidArgument);
  EXPECT_EQ(Count(0), 0);
}

TEST_F(ClusterTest, DuplicateKeyIsTypedAndLeavesNothingBehind) {
  EXPECT_THROW(cluster_.Transact(0,
                                 [](Transaction& tx) {
                                   tx.Exec("INSERT INTO accounts (id, balance) VALUES ('a', 1)");
                                   tx.Exec("INSERT INTO accounts (id, balance) VALUES ('a', 2)");
                                 }),
               UniqueViolation);
  EXPECT_EQ(Count(0), 0);
}

TEST_F(ClusterTest, AnUnreadStatementsErrorSurfacesAtTheNextRead) {
  cluster_.Transact(0, [](Transaction& tx) { tx.Exec("INSERT INTO accounts (id, balance) VALUES ('a', 1)"); });
  bool read_returned = false;
  EXPECT_THROW(cluster_.Transact(0,
                                 [&](Transaction& tx) {
                                   tx.Exec("INSERT INTO accounts (id, balance) VALUES ('a', 2)");  // never read
                                   (void)tx.Exec("SELECT count(*) FROM accounts").One();
                                   read_returned = true;
                                 }),
               UniqueViolation);
  EXPECT_FALSE(read_returned);
  EXPECT_EQ(Count(0), 1);
}

TEST_F(ClusterTest, AResultReturnedUnreadIsReadWithTheCommit) {
  const Result result = cluster_.Transact(0, [](Transaction& tx) {
    tx.Exec("INSERT INTO accounts (id, balance) VALUES ($1, $2)", {"a", int64_t{7}});
    return tx.Exec("SELECT balance FROM accounts WHERE id = $1", {"a"});
  });
  EXPECT_EQ(result.One().Int(0), 7);
}

TEST_F(ClusterTest, ManyUnreadStatementsAllRunInOrder) {
  cluster_.Transact(0, [](Transaction& tx) {
    for (int i = 0; i < 1000; ++i) {
      tx.Exec("INSERT INTO accounts (id, balance) VALUES ($1, $2)", {"a" + std::to_string(i), int64_t{i}});
      if (i % 2 == 1) tx.Exec("UPDATE accounts SET balance = balance + 1 WHERE id = $1", {"a" + std::to_string(i - 1)});
    }
  });
  EXPECT_EQ(Count(0), 1000);
  const int64_t sum = cluster_.Transact(0, [](Transaction& tx) {
    return tx.Exec("SELECT sum(balance) FROM accounts").One().Int(0);
  });
  EXPECT_EQ(sum, 999 * 1000 / 2 + 500);
}

TEST_F(ClusterTest, ScriptRunsEveryStatement) {
  cluster_.Transact(0, [](Transaction& tx) {
    tx.ExecScript("INSERT INTO accounts (id, balance) VALUES ('a', 1); INSERT INTO accounts (id, balance) VALUES ('b', 2)");
  });
  EXPECT_EQ(Count(0), 2);
}

TEST_F(ClusterTest, AStatementThatFailedToPrepareFailsTheSameWayAgain) {
  const auto bad = [](Transaction& tx) { (void)tx.Exec("SELECT no_such_column FROM accounts").size(); };
  std::string first;
  try {
    cluster_.Transact(0, bad);
    FAIL() << "expected ServerError";
  } catch (const ServerError& e) {
    first = e.sqlstate();
  }
  EXPECT_EQ(first, "42703");  // undefined_column
  try {
    cluster_.Transact(0, bad);
    FAIL() << "expected ServerError";
  } catch (const ServerError& e) {
    EXPECT_EQ(e.sqlstate(), "42703") << e.what();
  }
  EXPECT_EQ(Count(0), 0);  // the session still works
}

TEST_F(ClusterTest, SerializationFailureIsRetried) {
  // Write skew: both transactions read the whole table, then each inserts; SERIALIZABLE must abort
  // one of them, and Transact reruns it.
  std::atomic<int> attempts{0};
  std::latch both_read(2);
  const auto insert = [&](const std::string& id) {
    cluster_.Transact(
        0,
        [&](Transaction& tx) {
          const int attempt = ++attempts;
          (void)tx.Exec("SELECT coalesce(sum(balance), 0) FROM accounts").One();  // read: the statement has run
          if (attempt <= 2) both_read.arrive_and_wait();  // only the two first attempts meet
          tx.Exec("INSERT INTO accounts (id, balance) VALUES ($1, 1)", {id});
        },
        {Isolation::kSerializable});
  };
  std::thread first(insert, "x");
  std::thread second(insert, "y");
  first.join();
  second.join();
  EXPECT_EQ(attempts.load(), 3);
  EXPECT_EQ(Count(0), 2);
}

TEST_F(ClusterTest, PoolReplacesAKilledConnection) {
  EXPECT_EQ(Count(0), 0);  // leaves a pooled connection
  Cluster admin(TestPlatform().postgres, "public");
  const int64_t killed = admin.Transact(0, [&](Transaction& tx) {
    return tx.Exec("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                   "WHERE application_name = $1",
                   {"orderly-" + schema_})
        .One()
        .Int(0);
  });
  ASSERT_GE(killed, 1);
  EXPECT_EQ(Count(0), 0);  // ran on a fresh connection
  EXPECT_LE(cluster_.Stats(0).open, static_cast<size_t>(TestPlatform().postgres.pool_size));
}

TEST_F(ClusterTest, PoolStaysBoundedUnderLoad) {
  const size_t limit = static_cast<size_t>(TestPlatform().postgres.pool_size);
  std::atomic<size_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        cluster_.Transact(0, [&](Transaction& tx) {
          tx.Exec("INSERT INTO accounts (id, balance) VALUES ($1, 1)", {std::to_string(t) + "-" + std::to_string(i)});
          size_t open = cluster_.Stats(0).open;
          size_t seen = peak.load();
          while (open > seen && !peak.compare_exchange_weak(seen, open)) {
          }
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(Count(0), 120);
  EXPECT_LE(peak.load(), limit);
}

TEST_F(ClusterTest, ExhaustedPoolFailsAfterTheAcquireTimeout) {
  Settings settings = TestPlatform().postgres;
  settings.pool_size = 1;
  settings.acquire_timeout = std::chrono::milliseconds(50);
  Cluster small(settings, schema_);
  std::latch holding(1);
  std::latch release(1);
  std::thread holder([&] {
    small.Transact(0, [&](Transaction&) {
      holding.count_down();
      release.wait();
    });
  });
  holding.wait();
  EXPECT_THROW(small.Transact(0, [](Transaction&) {}), PoolExhausted);
  release.count_down();
  holder.join();
}

TEST_F(ClusterTest, UnreachableShardFailsConstructionWithOneLineNamingIt) {
  Settings settings = TestPlatform().postgres;
  settings.shards[1].port = orderly::testing::FreePort();
  try {
    Cluster unreachable(settings, schema_);
    FAIL() << "expected ConnectionError";
  } catch (const ConnectionError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("postgres shard shard1 (127.0.0.1:" + std::to_string(settings.shards[1].port)), std::string::npos)
        << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST_F(ClusterTest, KeysSpreadOverBothShards) {
  for (int i = 0; i < 50; ++i) {
    const std::string key = "order-" + std::to_string(i);
    cluster_.Transact(cluster_.ShardFor(key),
                      [&](Transaction& tx) { tx.Exec("INSERT INTO accounts (id, balance) VALUES ($1, 0)", {key}); });
  }
  EXPECT_GT(Count(0), 0);
  EXPECT_GT(Count(1), 0);
  EXPECT_EQ(Count(0) + Count(1), 50);
}

TEST_F(ClusterTest, BytesRoundTrip) {
  const std::string raw("\x00\x01\xff binary \n", 12);
  const std::string back = cluster_.Transact(0, [&](Transaction& tx) {
    return tx.Exec("SELECT $1::bytea", {Param::Bytes(raw)}).One().Bytes(0);
  });
  EXPECT_EQ(back, raw);
}

TEST_F(ClusterTest, ArraysRoundTripWhateverTheirElementsHold) {
  const std::vector<std::string> texts = {"plain", "", "with, comma", "quote \" and \\ backslash", "{braces}", "NULL"};
  const std::vector<int64_t> numbers = {0, -7, 9'000'000'000};
  cluster_.Transact(0, [&](Transaction& tx) {
    const Result rows = tx.Exec("SELECT unnest($1::text[])", {Param::Array(texts)});
    ASSERT_EQ(rows.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      EXPECT_FALSE(rows[i].IsNull(0)) << i;
      EXPECT_EQ(rows[i].String(0), texts[i]);
    }
    EXPECT_EQ(tx.Exec("SELECT sum(n)::bigint FROM unnest($1::bigint[]) AS n", {Param::Array(numbers)}).One().Int(0),
              9'000'000'000 - 7);
    EXPECT_EQ(tx.Exec("SELECT cardinality($1::text[])", {Param::Array(std::vector<std::string>{})}).One().Int(0), 0);
  });
}

}  // namespace
}  // namespace orderly::pg
