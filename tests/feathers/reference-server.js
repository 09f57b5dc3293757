// A minimal real Feathers 5 server: a users service and local + jwt authentication,
// configured as a generated Feathers app is. The differential test sends it the same
// requests as authgate. Usage: node reference-server.js PORT SECRET
'use strict'

const { randomUUID } = require('node:crypto')

const { feathers } = require('@feathersjs/feathers')
const { koa, rest, bodyParser, errorHandler } = require('@feathersjs/koa')
const { MemoryService } = require('@feathersjs/memory')
const { AuthenticationService, JWTStrategy, authenticate } = require('@feathersjs/authentication')
const { LocalStrategy, hooks: localHooks } = require('@feathersjs/authentication-local')

const [port, secret, audience, issuer] = process.argv.slice(2)
const app = koa(feathers())

app.set('authentication', {
  secret,
  entity: 'user',
  service: 'users',
  authStrategies: ['jwt', 'local'],
  jwtOptions: { header: { typ: 'access' }, audience, issuer, algorithm: 'HS256', expiresIn: '1h' },
  local: { usernameField: 'email', passwordField: 'password' }
})

app.use(errorHandler())
app.use(bodyParser())
app.configure(rest())

// The same user record authgate keeps: every field present, null when unset.
const withDefaults = async (context) => {
  const now = new Date().toISOString()
  // String ids, as authgate's: a numeric id never equals a query string value (`id[$in]`).
  context.data = { id: randomUUID(), name: null, avatar: null, ...context.data, createdAt: now, updatedAt: now }
}

app.use('users', new MemoryService({ paginate: { default: 10, max: 100 }, multi: false }))
app.service('users').hooks({
  around: {
    all: [localHooks.protect('password')],
    find: [authenticate('jwt')],
    get: [authenticate('jwt')],
    patch: [authenticate('jwt')],
    remove: [authenticate('jwt')]
  },
  before: {
    create: [localHooks.hashPassword('password'), withDefaults],
    patch: [localHooks.hashPassword('password')]
  }
})

const auth = new AuthenticationService(app)
auth.register('jwt', new JWTStrategy())
auth.register('local', new LocalStrategy())
app.use('authentication', auth)

app.listen(Number(port), '127.0.0.1').then(() => {
  process.stdout.write(`listening ${port}\n`)
})
