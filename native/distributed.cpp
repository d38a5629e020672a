// Process groups over libtorch's own c10d, the layer torch.distributed uses: a TCPStore for the
// rendezvous, ProcessGroupGloo (CPU tensors) and, in the CUDA build, ProcessGroupNCCL (CUDA
// tensors) wrapped in a c10d::ProcessGroup as torch.distributed does, and the collectives
// through the c10d dispatcher ops that ProcessGroup calls, which pick the backend by the
// tensors' device. Each backend is compiled in where its headers were found (HRM_WITH_GLOO,
// HRM_WITH_NCCL); a group asks for the ones it needs.
//
// Gloo's own types stay opaque here: the gloo headers we compile against (Debian's) are not the
// gloo libtorch bundles, so only pointers to gloo objects are held, never their fields. NCCL's
// ProcessGroupNCCL.hpp holds an ncclConfig_t by value, so it must see the nccl.h of the NCCL
// libtorch was built with (scripts/build-cuda.sh checks that with the hrm_nccl_check program).
//
// Every collective is enqueued on the JS thread, in program order, so each rank hands the same
// sequence to c10d; only the wait on the c10d Work (bounded by the group's timeout) runs on a
// worker thread, and its outcome settles a promise. A dead or silent peer therefore rejects the
// promise with an Error instead of blocking Node.
#include "common.h"
#include "distributed.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef HRM_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef HRM_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>

namespace hrm {

namespace {

using Millis = std::chrono::milliseconds;

struct Group {
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  Millis timeout;
  // the CUDA device of an NCCL group (its barrier runs there), -1 for a Gloo one
  int64_t cudaDevice;
};

// Process-wide tables, reached from worker threads too (hence the mutex). They are never freed:
// a group still open when the process exits is left to the exit rather than torn down while its
// Gloo threads may still run.
std::mutex tableMutex;
auto* stores = new std::unordered_map<int64_t, c10::intrusive_ptr<c10d::Store>>();
auto* groups = new std::unordered_map<int64_t, std::shared_ptr<Group>>();
std::atomic<int64_t> nextId{1};

c10::intrusive_ptr<c10d::Store> storeArg(const Napi::CallbackInfo& info, size_t i) {
  int64_t id = intArg(info, i, "store");
  std::lock_guard<std::mutex> lock(tableMutex);
  auto it = stores->find(id);
  if (it == stores->end()) throw ArgError(argName("store") + " is not an open store (destroyed, or never created)");
  return it->second;
}

std::shared_ptr<Group> groupArg(const Napi::CallbackInfo& info, size_t i) {
  int64_t id = intArg(info, i, "group");
  std::lock_guard<std::mutex> lock(tableMutex);
  auto it = groups->find(id);
  if (it == groups->end()) throw ArgError(argName("group") + " is not an open process group (destroyed, or never created)");
  return it->second;
}

Millis millisArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  int64_t ms = intArg(info, i, name);
  if (ms <= 0) throw ArgError(argName(name) + " must be a positive number of milliseconds");
  return Millis(ms);
}

std::vector<at::Tensor> tensorListArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsArray()) throw ArgError(argName(name) + " must be an array of tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a[k];
    if (!v.IsNumber()) throw ArgError(argName(name) + " must be an array of tensors");
    out.push_back(state().tensors.get(v.As<Napi::Number>().DoubleValue()));
  }
  return out;
}

// Runs `run` on a worker thread and settles a promise: `done` (on the JS thread) makes the
// value, and any exception becomes an Error with code DISTRIBUTED_ERROR carrying c10d's message.
class DistWorker : public Napi::AsyncWorker {
 public:
  DistWorker(Napi::Env env, std::function<void()> run, std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env), run_(std::move(run)), done_(std::move(done)), deferred_(Napi::Promise::Deferred::New(env)) {}

  static Napi::Promise start(Napi::Env env, std::function<void()> run, std::function<Napi::Value(Napi::Env)> done = nullptr) {
    auto* w = new DistWorker(env, std::move(run), std::move(done));
    Napi::Promise p = w->deferred_.Promise();
    w->Queue();
    return p;
  }

  void Execute() override {
    try {
      run_();
    } catch (const c10::Error& e) {
      SetError(e.what_without_backtrace());
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("unknown native exception");
    }
  }
  void OnOK() override {
    try {
      deferred_.Resolve(done_ ? done_(Env()) : Env().Undefined());
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (const std::exception& e) {
      deferred_.Reject(makeError(Env(), e.what(), "NATIVE_ERROR").Value());
    }
    run_ = nullptr;
    done_ = nullptr;
  }
  void OnError(const Napi::Error& e) override {
    deferred_.Reject(makeError(Env(), e.Message(), "DISTRIBUTED_ERROR").Value());
    run_ = nullptr;
    done_ = nullptr;
  }

 private:
  std::function<void()> run_;
  std::function<Napi::Value(Napi::Env)> done_;
  Napi::Promise::Deferred deferred_;
};

// Waits on each Work in turn; c10d throws when one failed or ran past `timeout`.
void waitAll(const std::vector<c10::intrusive_ptr<c10d::Work>>& works, Millis timeout) {
  for (const auto& w : works) w->wait(timeout);
}

Napi::Value idResult(Napi::Env env, int64_t id) { return Napi::Number::New(env, static_cast<double>(id)); }

// ---------------------------------------------------------------- stores

// distStoreCreate(host, port, worldSize, isMaster, timeoutMs) -> Promise<store id>. The master
// serves the store and waits (up to the timeout) until all worldSize members have connected.
Napi::Value StoreCreate(const Napi::CallbackInfo& info) {
  std::string host = stringArg(info, 0, "host");
  int64_t port = intArg(info, 1, "port");
  if (port < 0 || port > 65535) throw ArgError(argName("port") + " must be in 0..65535");
  int64_t worldSize = intArg(info, 2, "worldSize");
  if (worldSize < 1) throw ArgError(argName("worldSize") + " must be >= 1");
  bool isMaster = boolArg(info, 3, "isMaster");
  Millis timeout = millisArg(info, 4, "timeoutMs");
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<std::uint16_t>(port);
  opts.isServer = isMaster;
  opts.numWorkers = static_cast<std::size_t>(worldSize);
  opts.waitWorkers = true;
  opts.timeout = timeout;
  opts.useLibUV = false;  // libtorch's libuv clashes with Node's inside the addon
  auto id = std::make_shared<int64_t>(0);
  return DistWorker::start(
      info.Env(),
      [host, opts, id]() {
        auto store = c10::make_intrusive<c10d::TCPStore>(host, opts);
        std::lock_guard<std::mutex> lock(tableMutex);
        *id = nextId++;
        stores->emplace(*id, store);
      },
      [id](Napi::Env env) { return idResult(env, *id); });
}

// distStoreDestroy(store) -> boolean (false when it was not open). Groups keep their own reference.
Napi::Value StoreDestroy(const Napi::CallbackInfo& info) {
  int64_t id = intArg(info, 0, "store");
  c10::intrusive_ptr<c10d::Store> store;
  {
    std::lock_guard<std::mutex> lock(tableMutex);
    auto it = stores->find(id);
    if (it == stores->end()) return Napi::Boolean::New(info.Env(), false);
    store = std::move(it->second);
    stores->erase(it);
  }
  return Napi::Boolean::New(info.Env(), true);
}

// ---------------------------------------------------------------- process groups

#ifdef HRM_WITH_GLOO
// The Gloo backend of a group, bound as `kind` says (see distGroupCreate).
c10::intrusive_ptr<c10d::Backend> glooBackend(const c10::intrusive_ptr<c10d::Store>& store, int rank, int size, Millis timeout, const std::string& kind, const std::string& value) {
  auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
  if (kind == "hostname") opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(value));
  else if (kind == "interface") opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(value));
  else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, opts);
}
#endif

#ifdef HRM_WITH_NCCL
// ProcessGroupNCCL reads these when it is constructed. By default a failed or timed-out NCCL
// collective makes its watchdog tear the whole process down; with blocking waits (each wait
// returns when the collective is done, or throws at the timeout) and the watchdog only aborting
// the communicators, a dead peer becomes an error of the waiting call instead. A user's own
// settings win.
void ncclErrorHandlingDefaults() {
  setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
  setenv("TORCH_NCCL_ASYNC_ERROR_HANDLING", "2", 0);  // CleanUpOnly: abort the communicators, keep the process
}
#endif

// distGroupCreate(store, prefix, rank, size, timeoutMs, deviceKind, deviceValue, backend, cudaDevice)
//   -> Promise<group id>.
// backend 'gloo': Gloo for CPU tensors. backend 'nccl': NCCL for CUDA tensors (device cudaDevice
// runs its barrier) and, where Gloo is compiled in, Gloo for CPU tensors, as torch.distributed's
// "cpu:gloo,cuda:nccl". Each backend keeps its keys under prefix + "/cpu/" or "/cuda/", where
// torch.distributed's default group keeps them. deviceKind binds Gloo: 'hostname' (to that
// address), 'interface' (that network interface) or 'default' (the host name's address, else
// loopback). Creating a Gloo group connects the full mesh; NCCL connects at its first collective.
Napi::Value GroupCreate(const Napi::CallbackInfo& info) {
  c10::intrusive_ptr<c10d::Store> store = storeArg(info, 0);
  std::string prefix = stringArg(info, 1, "prefix");
  int64_t rank = intArg(info, 2, "rank");
  int64_t size = intArg(info, 3, "size");
  if (size < 1) throw ArgError(argName("size") + " must be >= 1");
  if (rank < 0 || rank >= size) throw ArgError(argName("rank") + " must be in 0.." + std::to_string(size - 1));
  Millis timeout = millisArg(info, 4, "timeoutMs");
  std::string kind = stringArg(info, 5, "deviceKind");
  std::string value = isMissing(info, 6) ? "" : stringArg(info, 6, "deviceValue");
  if (kind != "hostname" && kind != "interface" && kind != "default") throw ArgError(argName("deviceKind") + " must be 'hostname', 'interface' or 'default'");
  std::string backendName = isMissing(info, 7) ? "gloo" : stringArg(info, 7, "backend");
  int64_t cudaDevice = isMissing(info, 8) ? 0 : intArg(info, 8, "cudaDevice");
  if (backendName == "gloo") {
#ifndef HRM_WITH_GLOO
    throw ArgError(argName("backend") + " 'gloo' is not compiled into this addon (no gloo headers at build time)");
#endif
    cudaDevice = -1;
  } else if (backendName == "nccl") {
#ifdef HRM_WITH_NCCL
    if (cudaDevice < 0) throw ArgError(argName("cudaDevice") + " must be a CUDA device index >= 0");
    ncclErrorHandlingDefaults();
#else
    throw ArgError(argName("backend") + " 'nccl' is not compiled into this addon (it needs the CUDA build with NCCL's headers)");
#endif
  } else {
    throw ArgError(argName("backend") + " must be 'gloo' or 'nccl', got '" + backendName + "'");
  }
  auto id = std::make_shared<int64_t>(0);
  return DistWorker::start(
      info.Env(),
      [store, prefix, rank, size, timeout, kind, value, backendName, cudaDevice, id]() {
        const int r = static_cast<int>(rank), n = static_cast<int>(size);
        auto under = [&](const char* device) { return c10::make_intrusive<c10d::PrefixStore>(prefix + "/" + device + "/", store); };
        auto pg = c10::make_intrusive<c10d::ProcessGroup>(c10::make_intrusive<c10d::PrefixStore>(prefix, store), r, n);
#ifdef HRM_WITH_GLOO
        // the CPU tensors' backend, in either kind of group
        pg->setBackend(c10::DeviceType::CPU, c10d::ProcessGroup::BackendType::GLOO, glooBackend(under("cpu"), r, n, timeout, kind, value));
        pg->setDefaultBackend(c10d::ProcessGroup::BackendType::GLOO);
#endif
#ifdef HRM_WITH_NCCL
        if (backendName == "nccl") {
          auto opts = c10d::ProcessGroupNCCL::Options::create();
          opts->timeout = timeout;
          auto nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(under("cuda"), r, n, opts);
          pg->setBackend(c10::DeviceType::CUDA, c10d::ProcessGroup::BackendType::NCCL, nccl);
          pg->setDefaultBackend(c10d::ProcessGroup::BackendType::NCCL);
        }
#endif
        auto group = std::make_shared<Group>(Group{pg, timeout, cudaDevice});
        std::lock_guard<std::mutex> lock(tableMutex);
        *id = nextId++;
        groups->emplace(*id, group);
      },
      [id](Napi::Env env) { return idResult(env, *id); });
}

// distGroupDestroy(group) -> Promise<boolean>. Gloo's destructor waits for queued work, which a
// dead peer ends within the timeout, so it runs off the JS thread too.
Napi::Value GroupDestroy(const Napi::CallbackInfo& info) {
  int64_t id = intArg(info, 0, "group");
  std::shared_ptr<Group> group;
  {
    std::lock_guard<std::mutex> lock(tableMutex);
    auto it = groups->find(id);
    if (it != groups->end()) {
      group = std::move(it->second);
      groups->erase(it);
    }
  }
  bool was = static_cast<bool>(group);
  auto holder = std::make_shared<std::shared_ptr<Group>>(std::move(group));
  return DistWorker::start(
      info.Env(),
      [holder]() { holder->reset(); },
      [was](Napi::Env env) { return Napi::Boolean::New(env, was); });
}

// ---------------------------------------------------------------- collectives

Millis opTimeout(const Napi::CallbackInfo& info, size_t i, const Group& g) {
  return isMissing(info, i) ? g.timeout : millisArg(info, i, "timeoutMs");
}

c10d::ReduceOp reduceOpArg(const Napi::CallbackInfo& info, size_t i) {
  std::string op = stringArg(info, i, "op");
  if (op == "sum") return c10d::ReduceOp::SUM;
  if (op == "avg") return c10d::ReduceOp::AVG;
  if (op == "max") return c10d::ReduceOp::MAX;
  if (op == "min") return c10d::ReduceOp::MIN;
  if (op == "product") return c10d::ReduceOp::PRODUCT;
  throw ArgError(argName("op") + " must be 'sum', 'avg', 'max', 'min' or 'product', got '" + op + "'");
}

// distAllReduce(group, tensors[], op, timeoutMs?) -> Promise<void>: each tensor reduced in place
// on its own (one c10d allreduce per tensor, all enqueued before any wait).
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  auto group = groupArg(info, 0);
  std::vector<at::Tensor> tensors = tensorListArg(info, 1, "tensors");
  c10d::AllreduceOptions opts;
  opts.reduceOp = reduceOpArg(info, 2);
  opts.timeout = opTimeout(info, 3, *group);
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  works.reserve(tensors.size());
  for (auto& t : tensors) {
    std::vector<at::Tensor> one{t};
    works.push_back(group->pg->allreduce(one, opts));
  }
  Millis timeout = opts.timeout;
  return DistWorker::start(info.Env(), [group, works, timeout]() { waitAll(works, timeout); });
}

// distBroadcast(group, tensors[], root, timeoutMs?) -> Promise<void>: root's values into every rank's tensors.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  auto group = groupArg(info, 0);
  std::vector<at::Tensor> tensors = tensorListArg(info, 1, "tensors");
  int64_t root = intArg(info, 2, "root");
  if (root < 0 || root >= group->pg->getSize()) throw ArgError(argName("root") + " must be a rank in 0.." + std::to_string(group->pg->getSize() - 1));
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  opts.timeout = opTimeout(info, 3, *group);
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  works.reserve(tensors.size());
  for (auto& t : tensors) {
    std::vector<at::Tensor> one{t};
    works.push_back(group->pg->broadcast(one, opts));
  }
  Millis timeout = opts.timeout;
  return DistWorker::start(info.Env(), [group, works, timeout]() { waitAll(works, timeout); });
}

// distAllGather(group, tensor, timeoutMs?) -> Promise<tensor handles, one per rank in rank order>.
// Every rank's tensor must have the same shape and dtype (Gloo's rule).
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  auto group = groupArg(info, 0);
  at::Tensor input = tensorArg(info, 1, "tensor");
  c10d::AllgatherOptions opts;
  opts.timeout = opTimeout(info, 2, *group);
  auto outputs = std::make_shared<std::vector<std::vector<at::Tensor>>>(1);
  for (int r = 0; r < group->pg->getSize(); ++r) (*outputs)[0].push_back(at::empty_like(input, at::MemoryFormat::Contiguous));
  std::vector<at::Tensor> inputs{input};
  std::vector<c10::intrusive_ptr<c10d::Work>> works{group->pg->allgather(*outputs, inputs, opts)};
  Millis timeout = opts.timeout;
  return DistWorker::start(
      info.Env(), [group, works, timeout]() { waitAll(works, timeout); },
      [outputs](Napi::Env env) {
        auto& list = (*outputs)[0];
        Napi::Array a = Napi::Array::New(env, list.size());
        for (size_t k = 0; k < list.size(); ++k) a.Set(static_cast<uint32_t>(k), tensorResult(env, list[k]));
        return Napi::Value(a);
      });
}

// distBarrier(group, timeoutMs?) -> Promise<void>.
Napi::Value Barrier(const Napi::CallbackInfo& info) {
  auto group = groupArg(info, 0);
  c10d::BarrierOptions opts;
  opts.timeout = opTimeout(info, 1, *group);
  // NCCL's barrier is an all-reduce on a device it would otherwise guess from the rank
  if (group->cudaDevice >= 0) opts.device_ids = {group->cudaDevice};
  std::vector<c10::intrusive_ptr<c10d::Work>> works{group->pg->barrier(opts)};
  Millis timeout = opts.timeout;
  return DistWorker::start(info.Env(), [group, works, timeout]() { waitAll(works, timeout); });
}

}  // namespace

void registerDistributed(Napi::Env env, Napi::Object exports) {
#define HRM_EXPORT(name, fn) exports.Set(name, Napi::Function::New<Guard<fn>>(env, name))
  HRM_EXPORT("distStoreCreate", StoreCreate);
  HRM_EXPORT("distStoreDestroy", StoreDestroy);
  HRM_EXPORT("distGroupCreate", GroupCreate);
  HRM_EXPORT("distGroupDestroy", GroupDestroy);
  HRM_EXPORT("distAllReduce", AllReduce);
  HRM_EXPORT("distBroadcast", Broadcast);
  HRM_EXPORT("distAllGather", AllGather);
  HRM_EXPORT("distBarrier", Barrier);
#undef HRM_EXPORT
}

}  // namespace hrm
