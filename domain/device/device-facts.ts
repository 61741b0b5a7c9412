/** What a device says about itself in Authenticate (Apple's key names, camel-cased). */
export interface DeviceFacts {
  readonly serialNumber?: string;
  readonly model?: string;
  readonly modelName?: string;
  readonly productName?: string;
  readonly osVersion?: string;
  readonly buildVersion?: string;
  readonly deviceName?: string;
  readonly imei?: string;
  readonly meid?: string;
}

const KEYS: ReadonlyArray<keyof DeviceFacts> = ['serialNumber', 'model', 'modelName', 'productName', 'osVersion', 'buildVersion', 'deviceName', 'imei', 'meid'];

export function sameFacts(a: DeviceFacts | undefined, b: DeviceFacts): boolean {
  return a !== undefined && KEYS.every((k) => a[k] === b[k]);
}
