import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

// The packaging config as electron-builder itself reads and validates it (packaging cannot
// run here: it downloads Electron for each target). Issue 12 item 10: the fuses.

const root = path.resolve(import.meta.dirname, '../..');
const load = () => getConfig(root, path.join(root, 'electron-builder.yml'), null);

describe('electron-builder.yml', () => {
  it('is a valid electron-builder configuration', async () => {
    await expect(validateConfiguration(await load(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('flips the fuses: no run-as-node, no NODE_OPTIONS, no --inspect; asar integrity checked and the app loaded only from its asar', async () => {
    expect((await load()).electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into an asar (the only place onlyLoadAppFromAsar lets it load from)', async () => {
    expect((await load()).asar ?? true).not.toBe(false);
  });
});
