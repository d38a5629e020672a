// PyTorch file formats that need libtorch's own readers: torch.save archives (zip + pickle).
// safetensors is plain JSON + bytes and is read and written in TypeScript (src/tensor/io.ts).
#include "common.h"

#include <torch/serialize.h>
#include <torch/csrc/jit/serialization/pickle.h>

namespace hrm {

// pickleLoad(bytes: Uint8Array) -> nested JS value; tensors come back as handles inside
// { $tensor: handle } objects, dicts as { $dictKeys, $dictValues } (see ivalueToJs).
static Napi::Value wrapTensors(Napi::Env env, const c10::IValue& v);

static Napi::Value PickleLoad(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw ArgError("argument 'bytes' must be a Uint8Array with the contents of a torch.save file");
  auto ta = info[0].As<Napi::TypedArray>();
  const char* data = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::vector<char> bytes(data, data + ta.ByteLength());
  if (bytes.size() < 4 || bytes[0] != 'P' || bytes[1] != 'K') {
    throw ArgError("not a torch.save zip archive (expected a file written by torch.save with the default zip format)");
  }
  c10::IValue v = torch::pickle_load(bytes);
  return wrapTensors(info.Env(), v);
}

static Napi::Value wrapTensors(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("$tensor", tensorResult(env, v.toTensor()));
    return o;
  }
  if (v.isGenericDict()) {
    Napi::Object o = Napi::Object::New(env);
    Napi::Array keys = Napi::Array::New(env);
    Napi::Array values = Napi::Array::New(env);
    uint32_t k = 0;
    for (const auto& entry : v.toGenericDict()) {
      const auto& key = entry.key();
      std::string ks = key.isString() ? key.toStringRef() : (key.isInt() ? std::to_string(key.toInt()) : "?");
      keys.Set(k, Napi::String::New(env, ks));
      values.Set(k, wrapTensors(env, entry.value()));
      ++k;
    }
    o.Set("$dictKeys", keys);
    o.Set("$dictValues", values);
    return o;
  }
  if (v.isList() || v.isTuple()) {
    std::vector<c10::IValue> elems;
    if (v.isList()) {
      for (const auto& e : v.toListRef()) elems.push_back(e);
    } else {
      for (const auto& e : v.toTupleRef().elements()) elems.push_back(e);
    }
    Napi::Array a = Napi::Array::New(env, elems.size());
    for (size_t k = 0; k < elems.size(); ++k) a.Set(static_cast<uint32_t>(k), wrapTensors(env, elems[k]));
    return a;
  }
  return ivalueToJs(env, v);
}

// pickleSave(names: string[], handles: number[]) -> Uint8Array, a torch.save-compatible archive of a
// dict name -> tensor (what torch.load reads back as a state dict).
static Napi::Value PickleSave(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray()) throw ArgError("pickleSave(names, tensors) takes two arrays");
  auto names = info[0].As<Napi::Array>();
  auto handles = info[1].As<Napi::Array>();
  if (names.Length() != handles.Length()) throw ArgError("pickleSave: names and tensors differ in length");
  c10::Dict<std::string, at::Tensor> dict;
  for (uint32_t k = 0; k < names.Length(); ++k) {
    Napi::Value n = names.Get(k);
    Napi::Value h = handles.Get(k);
    if (!n.IsString() || !h.IsNumber()) throw ArgError("pickleSave: entry " + std::to_string(k) + " is not (string, tensor)");
    dict.insert(n.As<Napi::String>().Utf8Value(), state().tensors.get(h.As<Napi::Number>().DoubleValue()).detach());
  }
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::Copy(info.Env(), reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
  return out;
}

void registerIo(Napi::Env env, Napi::Object exports) {
  exports.Set("pickleLoad", Napi::Function::New<Guard<PickleLoad>>(env, "pickleLoad"));
  exports.Set("pickleSave", Napi::Function::New<Guard<PickleSave>>(env, "pickleSave"));
}

}  // namespace hrm
