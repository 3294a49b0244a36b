#include "orderly/rpc/edge.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "call_state.h"
#include "orderly/common/errors.h"
#include "orderly/common/ids.h"
#include "orderly/rpc/status.h"

namespace orderly::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::Interceptor;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerInterceptorFactoryInterface;
using grpc::experimental::ServerRpcInfo;

constexpr std::string_view kRequestIdMetadata = "x-request-id";
constexpr size_t kMaxRequestIdBytes = 64;

/// A client's request id is kept only if short and made of [A-Za-z0-9_-]: it goes into log lines.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

std::string_view Metadata(InterceptorBatchMethods* methods, std::string_view key) {
  const auto* metadata = methods->GetRecvInitialMetadata();
  if (metadata == nullptr) return {};
  const auto it = metadata->find(grpc::string_ref(key.data(), key.size()));
  return it == metadata->end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
}

/// Records what a stage refused the call for; the first refusal stands.
template <typename Check>
void Refuse(CallState& state, Check&& check) {
  if (state.refusal) return;
  try {
    std::forward<Check>(check)();
  } catch (const Error&) {
    state.refusal = std::current_exception();
  }
}

std::shared_ptr<CallState> StateOf(ServerRpcInfo* info) {
  return CallRegistry::Instance().FindOrAdd(info->server_context(), info->method());
}

// Stage 1: request id and access log; also answers a refusal should a handler answer OK anyway.
class RequestLogStage final : public Interceptor {
 public:
  RequestLogStage(ServerRpcInfo* info, AccessLog mode)
      : context_(info->server_context()),
        mode_(mode),
        state_(StateOf(info)),
        started_(std::chrono::steady_clock::now()) {}
  ~RequestLogStage() override { CallRegistry::Instance().Remove(context_); }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const std::string_view id = Metadata(methods, kRequestIdMetadata);
      state_->request_id = UsableRequestId(id) ? std::string(id) : NewUuidV7();
      peer_ = context_->peer();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(std::string(kRequestIdMetadata), state_->request_id);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (state_->refusal && status.ok()) {
        try {
          std::rethrow_exception(state_->refusal);
        } catch (const std::exception& refusal) {
          status = ToGrpcStatus(refusal);
          methods->ModifySendStatus(status);
          if (const auto* load = dynamic_cast<const ResourceExhausted*>(&refusal); load != nullptr) {
            methods->GetSendTrailingMetadata()->emplace(std::string(kRetryAfterMetadata),
                                                        std::to_string(load->retry_after().count()));
          }
        }
      }
      Log(status);
    }
    methods->Proceed();
  }

 private:
  void Log(const grpc::Status& status) const {
    const bool infrastructure = state_->method.rfind("/grpc.", 0) == 0;
    if (mode_ == AccessLog::kOff || (status.ok() && (mode_ == AccessLog::kErrors || infrastructure))) return;
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_).count();
    // The caller's subject, never its token; a refusal's message names the check that failed.
    spdlog::info("access method={} code={} ms={:.3f} request_id={} caller={} peer={}{}{}", state_->method,
                 static_cast<int>(status.error_code()), static_cast<double>(micros) / 1000.0, state_->request_id,
                 state_->caller ? state_->caller->subject : "-", peer_,
                 status.ok() ? "" : " error=", status.error_message());
  }

  grpc::ServerContextBase* const context_;
  const AccessLog mode_;
  const std::shared_ptr<CallState> state_;
  const std::chrono::steady_clock::time_point started_;
  std::string peer_;
};

// Stage 2: authentication, from the `authorization: Bearer <jwt>` metadata.
class AuthenticationStage final : public Interceptor {
 public:
  AuthenticationStage(ServerRpcInfo* info, const auth::JwtVerifier* verifier, const AccessTable& table)
      : state_(StateOf(info)), verifier_(verifier), table_(table) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (verifier_ != nullptr &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto rule = RuleFor(table_, state_->method);
      if (!rule || rule->access != Access::kOpen) {
        Refuse(*state_, [&] {
          constexpr std::string_view kBearer = "Bearer ";
          const std::string_view header = Metadata(methods, "authorization");
          if (header.empty()) throw Unauthenticated("missing", "no bearer token in the authorization metadata");
          if (header.substr(0, kBearer.size()) != kBearer) {
            throw Unauthenticated("malformed", "the authorization metadata must be 'Bearer <token>'");
          }
          state_->caller = verifier_->Verify(header.substr(kBearer.size()));
        });
      }
    }
    methods->Proceed();
  }

 private:
  const std::shared_ptr<CallState> state_;
  const auth::JwtVerifier* const verifier_;
  const AccessTable& table_;
};

/// The request's top-level string field customer_id, "" when it has none.
std::string RequestCustomer(void* message) {
  if (message == nullptr) return "";
  // Generated protobuf messages derive from google::protobuf::Message first, so the pointer gRPC
  // hands out for our services' requests is one.
  const auto* request = static_cast<const google::protobuf::Message*>(message);
  const google::protobuf::FieldDescriptor* field = request->GetDescriptor()->FindFieldByName("customer_id");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING || field->is_repeated()) {
    return "";
  }
  return request->GetReflection()->GetString(*request, field);
}

// Stage 3: authorization by the service's access table.
class AuthorizationStage final : public Interceptor {
 public:
  AuthorizationStage(ServerRpcInfo* info, bool enabled, const AccessTable& table)
      : state_(StateOf(info)), enabled_(enabled), table_(table) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (enabled_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Refuse(*state_, [&] {
        const auto rule = RuleFor(table_, state_->method);
        if (!rule) throw PermissionDenied(state_->method + " has no access rule, so nobody may call it");
        state_->rule = rule;
        // kOwnCustomer needs the request, which the next hook brings.
        if (rule->access != Access::kOwnCustomer) Authorize(state_->method, *rule, CallerPointer(), "");
      });
    }
    if (enabled_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) && state_->rule &&
        state_->rule->access == Access::kOwnCustomer) {
      Refuse(*state_, [&] {
        Authorize(state_->method, *state_->rule, CallerPointer(), RequestCustomer(methods->GetRecvMessage()));
      });
    }
    methods->Proceed();
  }

 private:
  const auth::Claims* CallerPointer() const { return state_->caller ? &*state_->caller : nullptr; }

  const std::shared_ptr<CallState> state_;
  const bool enabled_;
  const AccessTable& table_;
};

// Stage 4: rate limit per customer and method group; admin and service callers are not limited.
class RateLimitStage final : public Interceptor {
 public:
  RateLimitStage(ServerRpcInfo* info, RateLimiter* limiter, const AccessTable& table)
      : state_(StateOf(info)), context_(info->server_context()), limiter_(limiter), table_(table) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (limiter_ != nullptr && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      const auto rule = RuleFor(table_, state_->method);
      const bool trusted = state_->caller && (state_->caller->HasScope(auth::kScopeService) ||
                                              state_->caller->HasScope(auth::kScopeAdmin));
      if (rule && rule->access != Access::kOpen && !trusted) {
        // Without authentication the peer address stands in for the caller.
        const std::string caller = state_->caller ? state_->caller->subject : context_->peer();
        Refuse(*state_, [&] { limiter_->Check(rule->rate_group, caller); });
      }
    }
    methods->Proceed();
  }

 private:
  const std::shared_ptr<CallState> state_;
  grpc::ServerContextBase* const context_;
  RateLimiter* const limiter_;
  const AccessTable& table_;
};

/// What the stages share, alive as long as any factory (so, the server).
struct EdgeState {
  EdgeSettings settings;
  AccessTable table;
  std::unique_ptr<auth::JwtVerifier> verifier;
  std::unique_ptr<RateLimiter> limiter;
};

template <typename Make>
class StageFactory final : public ServerInterceptorFactoryInterface {
 public:
  StageFactory(std::shared_ptr<const EdgeState> edge, Make make) : edge_(std::move(edge)), make_(std::move(make)) {}
  Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override { return make_(info, *edge_); }

 private:
  const std::shared_ptr<const EdgeState> edge_;
  const Make make_;
};

template <typename Make>
std::unique_ptr<ServerInterceptorFactoryInterface> Factory(std::shared_ptr<const EdgeState> edge, Make make) {
  return std::make_unique<StageFactory<Make>>(std::move(edge), std::move(make));
}

}  // namespace

EdgeSettings EdgeSettings::Parse(const config::Node& edge, const config::Node& auth, const config::Node& rate_limit) {
  EdgeSettings s;
  const std::string log = edge.OneOf("access_log", "all", {"all", "errors", "off"});
  s.access_log = log == "all" ? AccessLog::kAll : log == "errors" ? AccessLog::kErrors : AccessLog::kOff;
  s.auth = auth::Settings::Parse(auth);
  s.rate_limit = RateLimitSettings::Parse(rate_limit);
  return s;
}

InterceptorFactories InterceptorChain(const EdgeSettings& settings, AccessTable access, cache::RedisClient* redis,
                                      const Clock& clock, InterceptorFactories trailing) {
  auto edge = std::make_shared<EdgeState>();
  edge->settings = settings;
  edge->table = std::move(access);
  if (settings.auth.enabled) {
    edge->verifier = std::make_unique<auth::JwtVerifier>(auth::Jwks::LoadFile(settings.auth.jwks_file),
                                                         settings.auth.verifier, clock);
  }
  if (settings.rate_limit.enabled) edge->limiter = std::make_unique<RateLimiter>(settings.rate_limit, redis, clock);
  std::shared_ptr<const EdgeState> shared = edge;
  InterceptorFactories stages;  // in the order they see a request
  stages.push_back(Factory(shared, [](ServerRpcInfo* info, const EdgeState& e) -> Interceptor* {
    return new RequestLogStage(info, e.settings.access_log);
  }));
  stages.push_back(Factory(shared, [](ServerRpcInfo* info, const EdgeState& e) -> Interceptor* {
    return new AuthenticationStage(info, e.verifier.get(), e.table);
  }));
  stages.push_back(Factory(shared, [](ServerRpcInfo* info, const EdgeState& e) -> Interceptor* {
    return new AuthorizationStage(info, e.verifier != nullptr, e.table);
  }));
  stages.push_back(Factory(shared, [](ServerRpcInfo* info, const EdgeState& e) -> Interceptor* {
    return new RateLimitStage(info, e.limiter.get(), e.table);
  }));
  // gRPC runs a server's receive hooks (POST_RECV_*) from the last registered interceptor to the
  // first, and its send hooks in registration order: registered in reverse, the stages see a request
  // as listed above. Trailing stages (metrics) come after, so they see the final status last.
  InterceptorFactories chain;
  for (auto stage = stages.rbegin(); stage != stages.rend(); ++stage) chain.push_back(std::move(*stage));
  for (auto& factory : trailing) chain.push_back(std::move(factory));
  return chain;
}

}  // namespace orderly::rpc
