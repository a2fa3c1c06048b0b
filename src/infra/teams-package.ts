// `leadrelay teams-package`: the Teams app package (manifest.json + two icons, zipped at the root) for
// "Upload a custom app", with the bot's Microsoft App ID filled in. Nothing is sent anywhere.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { z } from '../domain/zod-messages.ts';
import { errorMessage } from '../domain/errors.ts';

export const PLACEHOLDER = '{{MicrosoftAppId}}';
export const DEFAULT_MANIFEST_DIR = fileURLToPath(new URL('../../teams/', import.meta.url));
export const ICONS = { color: { file: 'color.png', size: 192 }, outline: { file: 'outline.png', size: 32 } } as const;

export class TeamsPackageError extends Error {
  override name = 'TeamsPackageError';
}

const NIL_GUID = '00000000-0000-0000-0000-000000000000';
const appIdSchema = z.uuid().refine((id) => id !== NIL_GUID);
const https = z.url({ protocol: /^https$/ });
const scope = z.enum(['team', 'personal', 'groupChat']);

const manifestSchema = z.looseObject({
  $schema: z.url(),
  manifestVersion: z.string().regex(/^1\.\d+$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'is not a version like 1.2.3'),
  id: appIdSchema,
  developer: z.looseObject({ name: z.string().min(1).max(32), websiteUrl: https, privacyUrl: https, termsOfUseUrl: https }),
  name: z.looseObject({ short: z.string().min(1).max(30), full: z.string().max(100).optional() }),
  description: z.looseObject({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.object({ color: z.literal(ICONS.color.file), outline: z.literal(ICONS.outline.file) }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'is not a colour like #1D3557'),
  bots: z
    .array(
      z.looseObject({
        botId: appIdSchema,
        scopes: z.array(scope).min(1),
        supportsFiles: z.boolean().optional(),
        isNotificationOnly: z.boolean().optional(),
        commandLists: z
          .array(
            z.object({
              scopes: z.array(scope).min(1),
              commands: z.array(z.object({ title: z.string().min(1).max(32), description: z.string().min(1).max(128) })).min(1).max(10),
            }),
          )
          .optional(),
      }),
    )
    .length(1),
  permissions: z.array(z.enum(['identity', 'messageTeamMembers'])).optional(),
  validDomains: z.array(z.string()).optional(),
});
export type TeamsManifest = z.infer<typeof manifestSchema>;

function checkAppId(appId: string): void {
  if (!appIdSchema.safeParse(appId).success) {
    throw new TeamsPackageError(
      `The Microsoft App ID "${appId}" is not a GUID like 3f2504e0-4f89-41d3-9a0c-0305e82c3301. ` +
        'Use the Application (client) ID of the Azure Bot\'s app registration (MicrosoftAppId), not its name, secret or object id.',
    );
  }
}

/** The manifest with the app id filled in, checked. */
export function teamsManifest(opts: { appId: string; manifestDir?: string }): TeamsManifest {
  const appId = opts.appId.trim();
  checkAppId(appId);
  const dir = opts.manifestDir ?? DEFAULT_MANIFEST_DIR;
  const file = join(dir, 'manifest.json');
  const text = readFileSync(file, 'utf8').replaceAll(PLACEHOLDER, appId);
  const leftover = /\{\{[^}]*\}\}/.exec(text);
  if (leftover) throw new TeamsPackageError(`${file}: the placeholder ${leftover[0]} is not filled in (only ${PLACEHOLDER} is).`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TeamsPackageError(`${file} is not valid JSON: ${errorMessage(error)}`);
  }
  if (json && typeof json === 'object') (json as { id?: unknown }).id = appId;
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TeamsPackageError(`${file} is not a valid Teams manifest:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) return null;
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function readIcon(dir: string, icon: { file: string; size: number }): Uint8Array {
  const path = join(dir, icon.file);
  const bytes = new Uint8Array(readFileSync(path));
  const size = pngSize(bytes);
  if (!size) throw new TeamsPackageError(`${path} is not a PNG.`);
  if (size.width !== icon.size || size.height !== icon.size) {
    throw new TeamsPackageError(`${path} is ${size.width}×${size.height}; Teams wants ${icon.size}×${icon.size}.`);
  }
  return bytes;
}

/** The zip to upload in Teams: manifest.json, color.png and outline.png at the root. Same input, same bytes. */
export function teamsPackage(opts: { appId: string; manifestDir?: string }): Uint8Array {
  const dir = opts.manifestDir ?? DEFAULT_MANIFEST_DIR;
  const manifest = teamsManifest({ appId: opts.appId, manifestDir: dir });
  const mtime = new Date('2024-01-01T00:00:00Z');
  return zipSync(
    {
      'manifest.json': strToU8(`${JSON.stringify(manifest, null, 2)}\n`),
      [ICONS.color.file]: readIcon(dir, ICONS.color),
      [ICONS.outline.file]: readIcon(dir, ICONS.outline),
    },
    { level: 9, mtime },
  );
}

/** `leadrelay teams-package [--app-id GUID] [--out FILE]`: 0 written, 2 no or bad app id. */
export async function runTeamsPackage(opts: { appId?: string; out?: string }): Promise<number> {
  const appId = opts.appId ?? process.env.MicrosoftAppId;
  if (!appId) {
    console.error(
      'leadrelay teams-package needs the bot\'s Microsoft App ID: set MicrosoftAppId (the Application (client) ID of the Azure Bot) or pass --app-id <GUID>.',
    );
    return 2;
  }
  let zip: Uint8Array;
  try {
    zip = teamsPackage({ appId });
  } catch (error) {
    if (error instanceof TeamsPackageError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const out = resolve(opts.out ?? 'leadrelay-teams.zip');
  writeFileSync(out, zip);
  console.log(`Wrote ${out} (${zip.length} bytes, app id ${appId.trim()}).`);
  console.log('Upload it in Teams: Apps → Manage your apps → Upload an app → Upload a custom app (or in the Teams admin center).');
  return 0;
}
