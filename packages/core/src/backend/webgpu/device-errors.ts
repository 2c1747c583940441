/**
 * Dawn never throws on a validation error or a lost device: the failing command does nothing and
 * later reads return zeros. Cairn listens to both and keeps the first failure here, so that the
 * next read of tensor bytes (and the end of fit) throws it instead of training on wrong numbers.
 */
export class AcceleratorError extends Error {
  override readonly name = 'AcceleratorError';
}

/** The part of a WebGPU `GPUDevice` the listener needs. */
export interface ObservedDevice {
  onuncapturederror: ((event: { error?: { message?: string } }) => void) | null;
  readonly lost: Promise<{ reason?: string; message?: string }>;
}

export class DeviceErrors {
  private failure: AcceleratorError | undefined;
  private destroyedByUs = false;

  constructor(private readonly adapterName: string) {}

  observe(device: ObservedDevice): void {
    device.onuncapturederror = (event) => {
      this.record(`a WebGPU validation error on ${this.adapterName}: ${(event.error?.message ?? 'no message').trim()}`);
    };
    void device.lost.then((info) => {
      // Cairn destroys the device itself when the backend is replaced: that is no failure.
      if (this.destroyedByUs && info.reason === 'destroyed') return;
      this.record(`the WebGPU device on ${this.adapterName} was lost (${info.reason ?? 'unknown reason'}): ${(info.message ?? '').trim()}`);
    });
  }

  /** Marks the coming loss as intended (the backend is being removed). */
  expectDestroy(): void {
    this.destroyedByUs = true;
  }

  record(what: string): void {
    // The first failure is the cause; later ones are usually its consequences.
    this.failure ??= new AcceleratorError(`cairn: training stopped: ${what}. Results computed after it would be wrong, so none are used.`);
  }

  /**
   * Throws the first recorded failure, if any, once: the fit it ends reports it, and a later fit on the
   * same device (a validation error leaves the device usable) starts clean.
   */
  throwIfFailed(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure;
  }
}
