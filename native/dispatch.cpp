// Generic operator calls through libtorch's dispatcher.
//
// JS resolves an operator once by its schema name ("aten::add", "Tensor") and gets a small integer
// id; every later call passes that id and positional arguments. The argument kinds are read from
// the operator's schema at resolve time, so conversion is a switch per argument and defaults come
// from the schema itself. The call goes through the full dispatcher (autograd, CPU/CUDA kernels),
// exactly as PyTorch's own interpreter does.
#include "common.h"
#include "dispatch.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>

#include <cmath>

namespace hrm {

static bool kindFromType(const c10::TypePtr& type, ArgKind& out) {
  using K = c10::TypeKind;
  switch (type->kind()) {
    case K::TensorType: out = ArgKind::Tensor; return true;
    case K::IntType:
    case K::SymIntType: out = ArgKind::Int; return true;
    case K::FloatType: out = ArgKind::Float; return true;
    case K::BoolType: out = ArgKind::Bool; return true;
    case K::NumberType: out = ArgKind::Scalar; return true;
    case K::StringType: out = ArgKind::String; return true;
    case K::DeviceObjType: out = ArgKind::Device; return true;
    case K::GeneratorType: out = ArgKind::Generator; return true;
    case K::ListType: {
      const auto& elem = type->castRaw<c10::ListType>()->getElementType();
      switch (elem->kind()) {
        case K::IntType:
        case K::SymIntType: out = ArgKind::IntList; return true;
        case K::FloatType: out = ArgKind::FloatList; return true;
        case K::BoolType: out = ArgKind::BoolList; return true;
        case K::TensorType: out = ArgKind::TensorList; return true;
        case K::OptionalType:
          if (elem->castRaw<c10::OptionalType>()->getElementType()->kind() == K::TensorType) {
            out = ArgKind::OptTensorList;
            return true;
          }
          return false;
        default: return false;
      }
    }
    case K::OptionalType: {
      ArgKind inner;
      if (!kindFromType(type->castRaw<c10::OptionalType>()->getElementType(), inner)) return false;
      switch (inner) {
        case ArgKind::Tensor: out = ArgKind::OptTensor; return true;
        case ArgKind::Int: out = ArgKind::OptInt; return true;
        case ArgKind::Float: out = ArgKind::OptFloat; return true;
        case ArgKind::Bool: out = ArgKind::OptBool; return true;
        case ArgKind::Scalar: out = ArgKind::OptScalar; return true;
        case ArgKind::IntList: out = ArgKind::OptIntList; return true;
        case ArgKind::FloatList: out = ArgKind::OptFloatList; return true;
        case ArgKind::String: out = ArgKind::OptString; return true;
        case ArgKind::Device: out = ArgKind::OptDevice; return true;
        case ArgKind::Generator: out = ArgKind::Generator; return true;
        default: return false;
      }
    }
    default:
      return false;
  }
}

static const char* kindName(ArgKind k) {
  switch (k) {
    case ArgKind::Tensor: return "a Tensor";
    case ArgKind::OptTensor: return "a Tensor or undefined";
    case ArgKind::Int: return "an integer";
    case ArgKind::OptInt: return "an integer or undefined";
    case ArgKind::Float: return "a number";
    case ArgKind::OptFloat: return "a number or undefined";
    case ArgKind::Bool: return "a boolean";
    case ArgKind::OptBool: return "a boolean or undefined";
    case ArgKind::Scalar: return "a number or boolean";
    case ArgKind::OptScalar: return "a number, boolean or undefined";
    case ArgKind::IntList: return "an array of integers";
    case ArgKind::OptIntList: return "an array of integers or undefined";
    case ArgKind::FloatList: return "an array of numbers";
    case ArgKind::OptFloatList: return "an array of numbers or undefined";
    case ArgKind::BoolList: return "an array of booleans";
    case ArgKind::TensorList: return "an array of Tensors";
    case ArgKind::OptTensorList: return "an array of Tensors (undefined entries allowed)";
    case ArgKind::String: return "a string";
    case ArgKind::OptString: return "a string or undefined";
    case ArgKind::Device: return "a device string";
    case ArgKind::OptDevice: return "a device string or undefined";
    case ArgKind::Generator: return "a Generator or undefined";
  }
  return "?";
}

static bool isOptional(ArgKind k) {
  switch (k) {
    case ArgKind::OptTensor: case ArgKind::OptInt: case ArgKind::OptFloat: case ArgKind::OptBool:
    case ArgKind::OptScalar: case ArgKind::OptIntList: case ArgKind::OptFloatList: case ArgKind::OptString:
    case ArgKind::OptDevice: case ArgKind::Generator:
      return true;
    default:
      return false;
  }
}

static c10::IValue toIValue(const OpInfo& op, size_t i, const Napi::Value& v);
static inline at::Tensor& toTensor(const OpInfo& op, size_t i, const Napi::Value& v);

// ---------------------------------------------------------------- unboxed fast paths
//
// Most calls in a training step have only Tensor and Scalar arguments. For those signatures the
// operator is called through a typed (unboxed) handle, as libtorch's own C++ API does, which
// skips building an IValue stack. The signature is verified against the operator's registered
// C++ signature at resolve time; a mismatch simply leaves the boxed path in place.

static inline Napi::Value jsArg(const Napi::CallbackInfo& info, size_t i) {
  return i + 1 < info.Length() ? info[i + 1] : info.Env().Undefined();
}

static const at::Tensor& fastTensor(const Napi::CallbackInfo& info, OpInfo& op, size_t i) {
  Napi::Value v = jsArg(info, i);
  if (v.IsUndefined() || v.IsNull()) throw ArgError(op.fullName + ": missing argument '" + op.names[i] + "' (position " + std::to_string(i) + "), expected a Tensor");
  return toTensor(op, i, v);
}

static at::Tensor& fastTensorMut(const Napi::CallbackInfo& info, OpInfo& op, size_t i) {
  return const_cast<at::Tensor&>(fastTensor(info, op, i));
}

static at::Scalar fastScalar(const Napi::CallbackInfo& info, OpInfo& op, size_t i) {
  Napi::Value v = jsArg(info, i);
  if (v.IsUndefined() || v.IsNull()) {
    if (op.defaults[i].has_value()) return op.defaults[i]->toScalar();
    throw ArgError(op.fullName + ": missing argument '" + op.names[i] + "' (position " + std::to_string(i) + "), expected a number or boolean");
  }
  return toIValue(op, i, v).toScalar();
}

using T = const at::Tensor&;
using M = at::Tensor&;
using S = const at::Scalar&;

template <typename Sig>
static inline const c10::TypedOperatorHandle<Sig>& typedOf(OpInfo& op) {
  return *static_cast<const c10::TypedOperatorHandle<Sig>*>(op.typed.get());
}

static at::Tensor fT(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor(T)>(o).call(fastTensor(i, o, 0)); }
static at::Tensor fTT(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor(T, T)>(o).call(fastTensor(i, o, 0), fastTensor(i, o, 1)); }
static at::Tensor fTS(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor(T, S)>(o).call(fastTensor(i, o, 0), fastScalar(i, o, 1)); }
static at::Tensor fTTS(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor(T, T, S)>(o).call(fastTensor(i, o, 0), fastTensor(i, o, 1), fastScalar(i, o, 2)); }
static at::Tensor fTSS(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor(T, S, S)>(o).call(fastTensor(i, o, 0), fastScalar(i, o, 1), fastScalar(i, o, 2)); }
static at::Tensor fM(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor&(M)>(o).call(fastTensorMut(i, o, 0)); }
static at::Tensor fMT(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor&(M, T)>(o).call(fastTensorMut(i, o, 0), fastTensor(i, o, 1)); }
static at::Tensor fMS(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor&(M, S)>(o).call(fastTensorMut(i, o, 0), fastScalar(i, o, 1)); }
static at::Tensor fMTS(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor&(M, T, S)>(o).call(fastTensorMut(i, o, 0), fastTensor(i, o, 1), fastScalar(i, o, 2)); }
static at::Tensor fMSS(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor&(M, S, S)>(o).call(fastTensorMut(i, o, 0), fastScalar(i, o, 1), fastScalar(i, o, 2)); }
static at::Tensor fMTTS(const Napi::CallbackInfo& i, OpInfo& o) { return typedOf<at::Tensor&(M, T, T, S)>(o).call(fastTensorMut(i, o, 0), fastTensor(i, o, 1), fastTensor(i, o, 2), fastScalar(i, o, 3)); }

// Verifies the C++ signature once and keeps the typed handle for the calls.
template <typename Sig>
static bool signatureMatches(OpInfo& op) {
  try {
    auto* h = new c10::TypedOperatorHandle<Sig>(op.handle.typed<Sig>());
    op.typed = std::shared_ptr<void>(h, [](void* p) { delete static_cast<c10::TypedOperatorHandle<Sig>*>(p); });
    return true;
  } catch (const c10::Error&) {
    return false;
  }
}

static void chooseFastPath(OpInfo& op, const c10::FunctionSchema& schema) {
  if (schema.returns().size() != 1 || schema.returns()[0].type()->kind() != c10::TypeKind::TensorType) return;
  std::string pattern;
  for (ArgKind k : op.kinds) {
    if (k == ArgKind::Tensor) pattern += 'T';
    else if (k == ArgKind::Scalar) pattern += 'S';
    else return;
  }
  const auto* alias = schema.arguments().empty() ? nullptr : schema.arguments()[0].alias_info();
  if (alias && alias->isWrite()) pattern[0] = 'M';
  struct Entry { const char* pattern; FastCall fn; bool (*check)(OpInfo&); };
  static const Entry table[] = {
      {"T", fT, signatureMatches<at::Tensor(T)>},
      {"TT", fTT, signatureMatches<at::Tensor(T, T)>},
      {"TS", fTS, signatureMatches<at::Tensor(T, S)>},
      {"TTS", fTTS, signatureMatches<at::Tensor(T, T, S)>},
      {"TSS", fTSS, signatureMatches<at::Tensor(T, S, S)>},
      {"M", fM, signatureMatches<at::Tensor&(M)>},
      {"MT", fMT, signatureMatches<at::Tensor&(M, T)>},
      {"MS", fMS, signatureMatches<at::Tensor&(M, S)>},
      {"MTS", fMTS, signatureMatches<at::Tensor&(M, T, S)>},
      {"MSS", fMSS, signatureMatches<at::Tensor&(M, S, S)>},
      {"MTTS", fMTTS, signatureMatches<at::Tensor&(M, T, T, S)>},
  };
  for (const auto& e : table) {
    if (pattern == e.pattern && e.check(op)) {
      op.fast = e.fn;
      return;
    }
  }
}

// resolveOp(name, overload) -> id
static Napi::Value ResolveOp(const Napi::CallbackInfo& info) {
  std::string name = stringArg(info, 0, "name");
  std::string overload = isMissing(info, 1) ? "" : stringArg(info, 1, "overload");
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle) throw ArgError("unknown operator " + name + (overload.empty() ? "" : "." + overload));
  const c10::FunctionSchema& schema = handle->schema();
  OpInfo op{*handle, name + (overload.empty() ? "" : "." + overload), {}, {}, {}, schema.returns().size()};
  for (const auto& arg : schema.arguments()) {
    ArgKind kind;
    if (!kindFromType(arg.type(), kind)) {
      throw ArgError("operator " + op.fullName + " has an argument of unsupported type " + arg.type()->str() + " ('" + arg.name() + "')");
    }
    op.kinds.push_back(kind);
    op.names.push_back(arg.name());
    op.defaults.push_back(arg.default_value());
  }
  chooseFastPath(op, schema);
  auto& ops = state().ops;
  ops.push_back(std::move(op));
  return Napi::Number::New(info.Env(), static_cast<double>(ops.size() - 1));
}

static Napi::Value OpSchema(const Napi::CallbackInfo& info) {
  int64_t id = intArg(info, 0, "op");
  auto& ops = state().ops;
  if (id < 0 || id >= static_cast<int64_t>(ops.size())) throw ArgError("unknown operator id");
  std::ostringstream s;
  s << ops[id].handle.schema();
  return Napi::String::New(info.Env(), s.str());
}

[[noreturn]] static void badArg(const OpInfo& op, size_t i, const Napi::Value& v) {
  static const char* jsTypes[] = {"undefined", "null", "boolean", "number", "string", "symbol", "object", "function", "external", "bigint"};
  napi_valuetype t = v.Type();
  std::string got = (t >= 0 && t <= 9) ? jsTypes[t] : "?";
  if (t == napi_object && v.IsArray()) got = "array";
  if (t == napi_number || t == napi_bigint || t == napi_boolean) got += " " + v.ToString().Utf8Value() + (t == napi_bigint ? "n" : "");
  if (t == napi_bigint && (op.kinds[i] == ArgKind::Int || op.kinds[i] == ArgKind::OptInt || op.kinds[i] == ArgKind::Scalar || op.kinds[i] == ArgKind::OptScalar)) {
    got += " (outside int64)";
  }
  throw ArgError(op.fullName + ": argument '" + op.names[i] + "' (position " + std::to_string(i) + ") must be " + kindName(op.kinds[i]) + ", got " + got);
}

static inline int64_t toInt(const OpInfo& op, size_t i, const Napi::Value& v) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    // [-2^63, 2^63): the cast is defined only there; NaN fails both comparisons
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::trunc(d)) return static_cast<int64_t>(d);
  } else if (v.IsBigInt()) {
    bool lossless;
    int64_t r = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (lossless) return r;
  } else if (v.IsBoolean()) {
    return v.As<Napi::Boolean>().Value() ? 1 : 0;
  }
  badArg(op, i, v);
}

static inline at::Tensor& toTensor(const OpInfo& op, size_t i, const Napi::Value& v) {
  if (!v.IsNumber()) badArg(op, i, v);
  try {
    return state().tensors.get(v.As<Napi::Number>().DoubleValue());
  } catch (const DisposedError& e) {
    throw DisposedError(op.fullName + ": argument '" + op.names[i] + "': " + e.what());
  }
}

static c10::IValue toIValue(const OpInfo& op, size_t i, const Napi::Value& v) {
  switch (op.kinds[i]) {
    case ArgKind::Tensor:
    case ArgKind::OptTensor:
      return toTensor(op, i, v);
    case ArgKind::Int:
    case ArgKind::OptInt:
      return toInt(op, i, v);
    case ArgKind::Float:
    case ArgKind::OptFloat:
      if (!v.IsNumber()) badArg(op, i, v);
      return v.As<Napi::Number>().DoubleValue();
    case ArgKind::Bool:
    case ArgKind::OptBool:
      if (!v.IsBoolean()) badArg(op, i, v);
      return v.As<Napi::Boolean>().Value();
    case ArgKind::Scalar:
    case ArgKind::OptScalar: {
      if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
      if (v.IsBigInt()) {
        bool lossless;
        int64_t r = v.As<Napi::BigInt>().Int64Value(&lossless);
        if (!lossless) badArg(op, i, v);
        return at::Scalar(r);
      }
      if (!v.IsNumber()) badArg(op, i, v);
      double d = v.As<Napi::Number>().DoubleValue();
      // Integral JS numbers become integer scalars so integer tensors keep their dtype.
      if (std::abs(d) < 9007199254740992.0 && d == static_cast<double>(static_cast<int64_t>(d))) return at::Scalar(static_cast<int64_t>(d));
      return at::Scalar(d);
    }
    case ArgKind::IntList:
    case ArgKind::OptIntList: {
      if (v.IsNumber()) return std::vector<int64_t>{toInt(op, i, v)};  // int[1] accepts a bare int
      if (!v.IsArray()) badArg(op, i, v);
      auto a = v.As<Napi::Array>();
      std::vector<int64_t> out(a.Length());
      for (uint32_t k = 0; k < a.Length(); ++k) out[k] = toInt(op, i, a.Get(k));
      return out;
    }
    case ArgKind::FloatList:
    case ArgKind::OptFloatList: {
      if (!v.IsArray()) badArg(op, i, v);
      auto a = v.As<Napi::Array>();
      std::vector<double> out(a.Length());
      for (uint32_t k = 0; k < a.Length(); ++k) {
        Napi::Value e = a.Get(k);
        if (!e.IsNumber()) badArg(op, i, v);
        out[k] = e.As<Napi::Number>().DoubleValue();
      }
      return out;
    }
    case ArgKind::BoolList: {
      if (!v.IsArray()) badArg(op, i, v);
      auto a = v.As<Napi::Array>();
      c10::List<bool> out;
      for (uint32_t k = 0; k < a.Length(); ++k) {
        Napi::Value e = a.Get(k);
        if (!e.IsBoolean()) badArg(op, i, v);
        out.push_back(e.As<Napi::Boolean>().Value());
      }
      return out;
    }
    case ArgKind::TensorList: {
      if (!v.IsArray()) badArg(op, i, v);
      auto a = v.As<Napi::Array>();
      c10::List<at::Tensor> out;
      out.reserve(a.Length());
      for (uint32_t k = 0; k < a.Length(); ++k) out.push_back(toTensor(op, i, a.Get(k)));
      return out;
    }
    case ArgKind::OptTensorList: {
      if (!v.IsArray()) badArg(op, i, v);
      auto a = v.As<Napi::Array>();
      c10::List<std::optional<at::Tensor>> out;
      for (uint32_t k = 0; k < a.Length(); ++k) {
        Napi::Value e = a.Get(k);
        if (e.IsUndefined() || e.IsNull()) out.push_back(std::nullopt);
        else out.push_back(toTensor(op, i, e));
      }
      return out;
    }
    case ArgKind::String:
    case ArgKind::OptString:
      if (!v.IsString()) badArg(op, i, v);
      return v.As<Napi::String>().Utf8Value();
    case ArgKind::Device:
    case ArgKind::OptDevice:
      if (!v.IsString()) badArg(op, i, v);
      try {
        return c10::Device(v.As<Napi::String>().Utf8Value());
      } catch (const c10::Error&) {
        throw ArgError(op.fullName + ": argument '" + op.names[i] + "' is not a valid device: '" + v.As<Napi::String>().Utf8Value() + "' (expected cpu, cuda or cuda:N)");
      }
    case ArgKind::Generator: {
      int64_t id = toInt(op, i, v);
      auto& gens = state().generators;
      if (id < 0 || id >= static_cast<int64_t>(gens.size()) || !gens[id].defined()) throw ArgError(op.fullName + ": argument '" + op.names[i] + "' is not a live Generator");
      return gens[id];
    }
  }
  badArg(op, i, v);
}

static OpInfo& opFor(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw ArgError("first argument must be an operator id");
  auto& ops = state().ops;
  double idd = info[0].As<Napi::Number>().DoubleValue();
  if (!(idd >= 0) || idd >= static_cast<double>(ops.size())) throw ArgError("unknown operator id");
  OpInfo& op = ops[static_cast<size_t>(idd)];
  size_t given = info.Length() - 1;
  if (given > op.kinds.size()) throw ArgError(op.fullName + ": expected at most " + std::to_string(op.kinds.size()) + " arguments, got " + std::to_string(given));
  return op;
}

// Whether every tensor and device among an operator's arguments is on the CPU.
static bool runsOnCpu(const torch::jit::Stack& stack) {
  for (const auto& v : stack) {
    if (v.isTensor() && v.toTensor().defined() && !v.toTensor().is_cpu()) return false;
    if (v.isDevice() && !v.toDevice().is_cpu()) return false;
    if (v.isTensorList()) {
      for (const at::Tensor& t : v.toTensorList().vec()) {
        if (t.defined() && !t.is_cpu()) return false;
      }
    }
  }
  return true;
}

static void runOp(const Napi::CallbackInfo& info, torch::jit::Stack& stack, OpInfo& op) {
  size_t n = op.kinds.size();
  size_t given = info.Length() - 1;
  stack.reserve(n);
  // A random operator called without a generator draws from this thread's CPU generator
  // (State::cpuGenerator) on a thread that has its own; elsewhere from libtorch's default.
  std::optional<size_t> defaultGenerator;
  for (size_t i = 0; i < n; ++i) {
    Napi::Value v = i < given ? info[i + 1] : info.Env().Undefined();
    if (op.kinds[i] == ArgKind::Generator && (v.IsUndefined() || v.IsNull())) {
      if (!state().ownsProcessGenerator) defaultGenerator = i;
      stack.emplace_back();
      continue;
    }
    if (v.IsUndefined() || v.IsNull()) {
      if (op.defaults[i].has_value()) {
        stack.push_back(*op.defaults[i]);
      } else if (isOptional(op.kinds[i])) {
        stack.emplace_back();
      } else {
        throw ArgError(op.fullName + ": missing argument '" + op.names[i] + "' (position " + std::to_string(i) + "), expected " + kindName(op.kinds[i]));
      }
      continue;
    }
    stack.push_back(toIValue(op, i, v));
  }
  if (defaultGenerator && runsOnCpu(stack)) stack[*defaultGenerator] = state().cpuGenerator;
  op.handle.callBoxed(stack);
}

// call(id, ...args) -> handle | value | array of them (several returns)
static Napi::Value Call(const Napi::CallbackInfo& info) {
  OpInfo& op = opFor(info);
  if (op.fast) return tensorResult(info.Env(), op.fast(info, op));
  torch::jit::Stack stack;
  runOp(info, stack, op);
  Napi::Env env = info.Env();
  if (stack.size() == 1) return ivalueToJs(env, stack[0]);
  if (stack.empty()) return env.Undefined();
  Napi::Array a = Napi::Array::New(env, stack.size());
  for (size_t k = 0; k < stack.size(); ++k) a.Set(static_cast<uint32_t>(k), ivalueToJs(env, stack[k]));
  return a;
}

// callVoid(id, ...args): for in-place ops whose result is an input; nothing is returned.
static Napi::Value CallVoid(const Napi::CallbackInfo& info) {
  OpInfo& op = opFor(info);
  if (op.fast) {
    op.fast(info, op);
    return info.Env().Undefined();
  }
  torch::jit::Stack stack;
  runOp(info, stack, op);
  return info.Env().Undefined();
}

void registerDispatch(Napi::Env env, Napi::Object exports) {
  exports.Set("resolveOp", Napi::Function::New<Guard<ResolveOp>>(env, "resolveOp"));
  exports.Set("opSchema", Napi::Function::New<Guard<OpSchema>>(env, "opSchema"));
  exports.Set("call", Napi::Function::New<Guard<Call>>(env, "call"));
  exports.Set("callVoid", Napi::Function::New<Guard<CallVoid>>(env, "callVoid"));
}

}  // namespace hrm
