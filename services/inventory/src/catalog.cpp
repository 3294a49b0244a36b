#include "catalog.h"

#include <algorithm>

namespace orderly::inventory {
namespace {

v1::Product ToProduct(const pg::Row& row) {
  v1::Product product;
  product.set_sku(row.String(0));
  product.set_name(row.String(1));
  product.mutable_unit_price()->set_minor_units(row.Int(2));
  product.mutable_unit_price()->set_currency(row.String(3));
  return product;
}

constexpr const char* kSelectProduct = "SELECT sku, name, price_minor, currency FROM products";

}  // namespace

std::optional<v1::Stock> ReadStock(pg::Transaction& tx, const std::string& sku) {
  const pg::Result result =
      tx.Exec("SELECT on_hand, reserved, restocked, committed, returned FROM stock WHERE sku = $1", {sku});
  if (result.empty()) return std::nullopt;
  v1::Stock stock;
  stock.set_sku(sku);
  stock.set_on_hand(result[0].Int(0));
  stock.set_reserved(result[0].Int(1));
  stock.set_available(stock.on_hand() - stock.reserved());
  stock.set_restocked(result[0].Int(2));
  stock.set_committed(result[0].Int(3));
  stock.set_returned(result[0].Int(4));
  return stock;
}

v1::Product Catalog::Upsert(const v1::Product& product) {
  return cluster_.Transact(cluster_.ShardFor(product.sku()), [&](pg::Transaction& tx) {
    const pg::Row row = tx.Exec(std::string(R"(INSERT INTO products (sku, name, price_minor, currency)
                                               VALUES ($1, $2, $3, $4)
                                               ON CONFLICT (sku) DO UPDATE
                                                 SET name = $2, price_minor = $3, currency = $4, updated_at = now()
                                               RETURNING sku, name, price_minor, currency)"),
                                {product.sku(), product.name(), product.unit_price().minor_units(),
                                 product.unit_price().currency()})
                            .One();
    tx.Exec("INSERT INTO stock (sku) VALUES ($1) ON CONFLICT (sku) DO NOTHING", {product.sku()});
    return ToProduct(row);
  });
}

v1::Product Catalog::Get(const std::string& sku) {
  const pg::Result result = cluster_.Transact(
      cluster_.ShardFor(sku), [&](pg::Transaction& tx) { return tx.Exec(std::string(kSelectProduct) + " WHERE sku = $1", {sku}); },
      {pg::Isolation::kReadCommitted, true});
  if (result.empty()) throw NotFound("product '" + sku + "' does not exist");
  return ToProduct(result[0]);
}

std::vector<v1::Product> Catalog::List(const std::string& after, int limit) {
  std::vector<v1::Product> products;
  for (size_t shard = 0; shard < cluster_.shard_count(); ++shard) {
    const pg::Result result = cluster_.Transact(
        shard,
        [&](pg::Transaction& tx) {
          return tx.Exec(std::string(kSelectProduct) + " WHERE sku > $1 ORDER BY sku LIMIT $2", {after, limit});
        },
        {pg::Isolation::kReadCommitted, true});
    for (size_t i = 0; i < result.size(); ++i) products.push_back(ToProduct(result[i]));
  }
  std::sort(products.begin(), products.end(), [](const auto& a, const auto& b) { return a.sku() < b.sku(); });
  if (products.size() > static_cast<size_t>(limit)) products.resize(static_cast<size_t>(limit));
  return products;
}

v1::Stock Catalog::Restock(const std::string& sku, int64_t quantity, const std::string& idempotency_key) {
  return cluster_.Transact(cluster_.ShardFor(sku), [&](pg::Transaction& tx) {
    if (!ReadStock(tx, sku)) throw NotFound("product '" + sku + "' does not exist");
    if (!idempotency_key.empty()) {
      const pg::Result claimed = tx.Exec(
          "INSERT INTO restocks (idempotency_key, sku, quantity) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          {idempotency_key, sku, quantity});
      if (claimed.affected_rows() == 0) {
        const pg::Row first =
            tx.Exec("SELECT sku, quantity FROM restocks WHERE idempotency_key = $1", {idempotency_key}).One();
        if (first.String(0) != sku || first.Int(1) != quantity) {
          throw InvalidArgument("idempotency_key", "was already used for a different restock");
        }
        return *ReadStock(tx, sku);
      }
    }
    tx.Exec("UPDATE stock SET on_hand = on_hand + $2, restocked = restocked + $2 WHERE sku = $1", {sku, quantity});
    return *ReadStock(tx, sku);
  });
}

v1::Stock Catalog::GetStock(const std::string& sku) {
  auto stock = cluster_.Transact(cluster_.ShardFor(sku), [&](pg::Transaction& tx) { return ReadStock(tx, sku); },
                                 {pg::Isolation::kReadCommitted, true});
  if (!stock) throw NotFound("product '" + sku + "' does not exist");
  return *stock;
}

}  // namespace orderly::inventory
