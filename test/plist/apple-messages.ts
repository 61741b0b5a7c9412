/**
 * Bodies shaped as Apple devices send them (tabs, Apple's DOCTYPE, data wrapped in lines). The
 * values are made up; the keys and types follow Apple's schema (mdm/checkin/*.yaml and
 * mdm/commands/information.device.yaml).
 */

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`;

export const UDID = '00008030-001A2B3C4D5E802E';
export const TOPIC = 'com.apple.mgmt.External.6f1c1a0e-2c37-4d7e-9a43-3c1b1e0f5a77';
export const PUSH_MAGIC = '8A1F3C52-4B9E-4E3A-9C1D-7E2F6A0B5C49';
/** 32 bytes, as APNs device tokens are. */
export const TOKEN = Buffer.from('a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00', 'hex');
/** Real unlock tokens are a few kilobytes of keybag; this stands in for one. */
export const UNLOCK_TOKEN = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));

function wrapped(data: Buffer, indent: string): string {
  return data
    .toString('base64')
    .match(/.{1,52}/g)!
    .map((line) => `${indent}${line}`)
    .join('\n');
}

export const AUTHENTICATE = `${HEAD}<dict>
	<key>BuildVersion</key>
	<string>21F90</string>
	<key>DeviceName</key>
	<string>Zoë’s iPhone</string>
	<key>IMEI</key>
	<string>35 311111 111111 1</string>
	<key>MEID</key>
	<string>35311111111111</string>
	<key>MessageType</key>
	<string>Authenticate</string>
	<key>Model</key>
	<string>iPhone12,1</string>
	<key>ModelName</key>
	<string>iPhone</string>
	<key>OSVersion</key>
	<string>17.5.1</string>
	<key>ProductName</key>
	<string>iPhone12,1</string>
	<key>SerialNumber</key>
	<string>F2LXK1ABHG7F</string>
	<key>Topic</key>
	<string>${TOPIC}</string>
	<key>UDID</key>
	<string>${UDID}</string>
</dict>
</plist>
`;

export const TOKEN_UPDATE = `${HEAD}<dict>
	<key>AwaitingConfiguration</key>
	<false/>
	<key>MessageType</key>
	<string>TokenUpdate</string>
	<key>PushMagic</key>
	<string>${PUSH_MAGIC}</string>
	<key>Token</key>
	<data>
${wrapped(TOKEN, '\t')}
	</data>
	<key>Topic</key>
	<string>${TOPIC}</string>
	<key>UDID</key>
	<string>${UDID}</string>
	<key>UnlockToken</key>
	<data>
${wrapped(UNLOCK_TOKEN, '\t')}
	</data>
</dict>
</plist>
`;

export const COMMAND_UUID = '0C7B5F3A-9D41-4C8E-B2A6-1E5D3F9A7C20';

export const DEVICE_INFORMATION_REPORT = `${HEAD}<dict>
	<key>CommandUUID</key>
	<string>${COMMAND_UUID}</string>
	<key>QueryResponses</key>
	<dict>
		<key>AvailableDeviceCapacity</key>
		<real>41.52734375</real>
		<key>BatteryLevel</key>
		<real>1</real>
		<key>BluetoothMAC</key>
		<string>f0:98:9d:12:34:56</string>
		<key>BuildVersion</key>
		<string>21F90</string>
		<key>DeviceCapacity</key>
		<real>64</real>
		<key>DeviceName</key>
		<string>Zoë’s iPhone</string>
		<key>IsSupervised</key>
		<true/>
		<key>ModelName</key>
		<string>iPhone</string>
		<key>OSVersion</key>
		<string>17.5.1</string>
		<key>ServiceSubscriptions</key>
		<array>
			<dict>
				<key>CarrierSettingsVersion</key>
				<string>59.0</string>
				<key>IsDataPreferred</key>
				<true/>
				<key>Slot</key>
				<string>CTSubscriptionSlotOne</string>
			</dict>
		</array>
		<key>WiFiMAC</key>
		<string>f0:98:9d:12:34:57</string>
	</dict>
	<key>Status</key>
	<string>Acknowledged</string>
	<key>UDID</key>
	<string>${UDID}</string>
</dict>
</plist>
`;

export const ERROR_REPORT = `${HEAD}<dict>
	<key>CommandUUID</key>
	<string>${COMMAND_UUID}</string>
	<key>ErrorChain</key>
	<array>
		<dict>
			<key>ErrorCode</key>
			<integer>4</integer>
			<key>ErrorDomain</key>
			<string>MCMDMErrorDomain</string>
			<key>LocalizedDescription</key>
			<string>Ungültiger Befehl</string>
			<key>USEnglishDescription</key>
			<string>Invalid request type</string>
		</dict>
	</array>
	<key>Status</key>
	<string>Error</string>
	<key>UDID</key>
	<string>${UDID}</string>
</dict>
</plist>
`;

export const IDLE = `${HEAD}<dict>
	<key>Status</key>
	<string>Idle</string>
	<key>UDID</key>
	<string>${UDID}</string>
</dict>
</plist>
`;
