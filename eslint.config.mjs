// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const nodeIo = [
  'fs',
  'http',
  'https',
  'net',
  'dgram',
  'child_process',
  'worker_threads',
  'cluster',
].flatMap((name) => [name, `node:${name}`, `${name}/*`, `node:${name}/*`]);

/** Imports that would tie a layer to a framework, a transport or I/O. */
const frameworks = ['@nestjs/*', 'bullmq', 'ioredis', 'socket.io', 'socket.io-client', 'fastify'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '**/dist/**',
      'coverage/**',
      'node_modules/**',
      '.data/**',
      'bench/results/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Nest resolves constructor parameters from their emitted types: keep them as values.
    files: ['src/**/*.ts'],
    ignores: ['src/core/**'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  // Later blocks override this rule for core and service, each naming the analysis module too.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/analysis/**', 'src/app.module.ts', 'src/main.ts', 'src/index.ts', 'src/nats/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/analysis/*', '**/analysis'],
              message:
                'Nothing imports the analysis module but the app assembly, the public entry and the NATS entry.',
            },
          ],
        },
      ],
    },
  },
  ...[
    // `outside` is how an import leaves src/core from files at that depth.
    { files: ['src/core/*.ts'], outside: ['../*'] },
    { files: ['src/core/*/**/*.ts'], outside: ['../../*'] },
  ].map(({ files, outside }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: frameworks,
              message: 'src/core is pure: no framework, Redis, BullMQ or Socket.IO imports.',
            },
            { group: nodeIo, message: 'src/core is pure: no Node I/O.' },
            { group: outside, message: 'src/core imports nothing of the project outside itself.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/service/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'bullmq',
                'ioredis',
                'socket.io',
                '@nestjs/websockets',
                '@nestjs/platform-*',
                '@nestjs/bullmq',
                'fastify',
              ],
              message: 'src/service knows nothing of transports: depend on the Publisher port.',
            },
            {
              group: ['../analysis/*', '../bus/*', '../analysis', '../bus'],
              message:
                'Dependencies point analysis → service → core; bus implements the service port.',
            },
          ],
        },
      ],
    },
  },
  ...[
    // The client and the dataview run in browsers: of the server they know only the domain types.
    { files: ['src/client/**/*.ts'], allowed: 'only types from src/core' },
    { files: ['src/dataview/**/*.ts'], allowed: 'only src/client and types from src/core' },
  ].map(({ files, allowed }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/service',
                '**/service/*',
                '**/bus',
                '**/bus/*',
                '**/analysis',
                '**/analysis/*',
                '**/config/*',
                '**/health/*',
                '**/local-redis/*',
                '@nestjs/*',
                'bullmq',
                'ioredis',
                ...nodeIo,
              ],
              message: `The ${files[0].split('/')[1]} uses ${allowed}.`,
            },
            {
              group: ['**/core/*', '**/core/**'],
              allowTypeImports: true,
              message: `The ${files[0].split('/')[1]} uses ${allowed}.`,
            },
          ],
        },
      ],
    },
  })),
  prettier,
);
