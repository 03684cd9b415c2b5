import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = [
  { folders: ['cockroach'], above: ['pki', 'monitor', 'certsdir', 'connstr', 'tls', 'changefeed', 'cloud', 'fleet'] },
  { folders: ['pki'], above: ['monitor', 'certsdir', 'connstr', 'tls', 'changefeed', 'cloud', 'fleet'] },
  { folders: ['monitor'], above: ['certsdir', 'connstr', 'tls', 'changefeed', 'cloud', 'fleet'] },
  { folders: ['certsdir'], above: ['connstr', 'tls', 'changefeed', 'cloud', 'fleet'] },
  { folders: ['connstr'], above: ['certsdir', 'tls', 'changefeed', 'cloud', 'fleet'] },
  { folders: ['tls'], above: ['changefeed', 'cloud', 'fleet'] },
  { folders: ['changefeed'], above: ['cloud', 'fleet'] },
  { folders: ['cloud'], above: ['changefeed', 'fleet'] },
  { folders: ['fleet'], above: ['changefeed', 'cloud'] },
];

const NO_VSCODE = { name: 'vscode', message: 'src/core must not import vscode; put VS Code glue in src/extension.' };
const folderRe = (names) => `^(\\./|(\\.\\./)+)(${names.join('|')})(/|$)`;

function coreLayers() {
  const all = LAYERS.flatMap((l) => l.folders);
  const front = { regex: folderRe(['cli', 'extension']), message: 'src/core must not import the front ends (cli/, extension/).' };
  return [
    {
      // The basics at the root of src/core (errors, input, cache) import no core folder.
      files: ['src/core/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          { paths: [NO_VSCODE], patterns: [front, { regex: folderRe(all), message: 'src/core/*.ts are the bottom layer: they import no core folder.' }] },
        ],
      },
    },
    // A file d folders below src/core/<folder>/ reaches another core folder through exactly d+1
    // "../" (a sibling file named like a folder, ./cloud.ts, is not one).
    ...LAYERS.flatMap((l) =>
      [0, 1, 2, 3].map((d) => ({
        files: l.folders.map((f) => `src/core/${f}/${'*/'.repeat(d)}*.ts`),
        rules: {
          'no-restricted-imports': [
            'error',
            {
              paths: [NO_VSCODE],
              patterns: [
                front,
                {
                  regex: `^(\\.\\./){${d + 1}}(${l.above.join('|')})(/|$)`,
                  message: `src/core/${l.folders[0]} must not import ${l.above.join(', ')}: core layers import only downward (pass a callback instead).`,
                },
              ],
            },
          ],
        },
      })),
    ),
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test/vscode-server/**', 'test/vscode-server-min/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  // The core is shared by the CLI and the extension: it never imports vscode, cli/ or extension/, and its
  // folders are layers that import only downward (ARCHITECTURE.md), type-only imports included:
  //   errors, input, cache (basics) <- cockroach <- pki, monitor <- certsdir, connstr <- tls <- changefeed, cloud, fleet
  ...coreLayers(),
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'URLSearchParams',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'Buffer',
          'AbortController',
          'fetch',
          'performance',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
