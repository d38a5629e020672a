// A check program, not part of the addon (CMake target hrm_nccl_check, built by
// scripts/build-cuda.sh). c10d's ProcessGroupNCCL.hpp holds an ncclConfig_t by value, so a
// translation unit using it must see the nccl.h of the NCCL libtorch was built with: this one
// compiles the header, links against libtorch_cuda, and prints both versions. No GPU is needed.
#include <torch/csrc/cuda/nccl.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include <cstdint>
#include <cstdio>

int main() {
  // Constructed in libtorch_cuda, read here: the layouts must agree.
  auto options = c10d::ProcessGroupNCCL::Options::create();
  // torch::cuda::nccl::version() is the NCCL_MAJOR/MINOR/PATCH libtorch was compiled with.
  const std::uint64_t built = torch::cuda::nccl::version();
  const std::uint64_t header = (std::uint64_t(NCCL_MAJOR) << 32) | (std::uint64_t(NCCL_MINOR) << 16) | std::uint64_t(NCCL_PATCH);
  const auto part = [](std::uint64_t v, int shift) { return static_cast<unsigned>((v >> shift) & 0xffff); };
  std::printf("{\"ncclHeader\": \"%u.%u.%u\", \"ncclLibtorchBuiltWith\": \"%u.%u.%u\", \"sizeofNcclConfig\": %zu, \"backend\": \"%s\"}\n",
              part(header, 32), part(header, 16), part(header, 0), part(built, 32), part(built, 16), part(built, 0),
              sizeof(ncclConfig_t), options->backend.c_str());
  return built == header ? 0 : 1;
}
