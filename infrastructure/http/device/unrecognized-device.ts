import type { Response } from 'express';

/** Apple's documented "remove your enrollment" answer (iOS 17+, macOS 14+): 403 with this JSON. */
export const UNRECOGNIZED_DEVICE = { code: 'com.apple.unrecognized.device', description: 'This device is no longer managed by this server.' } as const;

export function answerUnrecognizedDevice(res: Response): void {
  res.status(403).type('application/json').send(JSON.stringify(UNRECOGNIZED_DEVICE));
}
