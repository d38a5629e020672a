/** libtorch versions (src/util/version.ts): read from at::show_config() text and compared by release. */
import { native } from '../../src/native';
import { sameTorchRelease, torchVersionOf } from '../../src/util/version';

describe('torchVersionOf', () => {
  test('finds TORCH_VERSION in build-configuration text, with or without a local suffix', () => {
    const config = 'PyTorch built with:\n  - GCC 11.2\n  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release, TORCH_VERSION=2.13.0, USE_CUDA=OFF,\n';
    expect(torchVersionOf(config)).toBe('2.13.0');
    expect(torchVersionOf('Build settings: TORCH_VERSION=2.5.1+cu124 USE_ROCM=OFF')).toBe('2.5.1+cu124');
    expect(torchVersionOf('Build settings: TORCH_VERSION=2.4.0')).toBe('2.4.0');
  });

  test('is undefined where the text names no version', () => {
    expect(torchVersionOf('')).toBeUndefined();
    expect(torchVersionOf('Build settings: BUILD_TYPE=Release')).toBeUndefined();
    expect(torchVersionOf('TORCH_VERSION=')).toBeUndefined();
  });

  test('reads the loaded libtorch, which is the release the addon was compiled against', () => {
    const info = native().buildInfo();
    const runtime = torchVersionOf(info.runtimeConfig);
    expect(runtime).toMatch(/^\d+\.\d+\.\d+/);
    expect(sameTorchRelease(runtime!, info.torchVersion)).toBe(true);
  });
});

describe('sameTorchRelease', () => {
  test('agrees up to the local suffix only', () => {
    expect(sameTorchRelease('2.13.0+cpu', '2.13.0')).toBe(true);
    expect(sameTorchRelease('2.13.0+cpu', '2.13.0+cu124')).toBe(true);
    expect(sameTorchRelease('2.13.0', '2.13.1')).toBe(false);
    expect(sameTorchRelease('2.1.0', '2.13.0')).toBe(false);
  });
});
