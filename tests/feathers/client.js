// The official Feathers client against authgate, unchanged: REST transport + authentication-client.
// Usage: node client.js BASE_URL EMAIL PASSWORD. Prints one JSON report; exits non-zero on failure.
'use strict'

const { feathers } = require('@feathersjs/feathers')
const rest = require('@feathersjs/rest-client')
const auth = require('@feathersjs/authentication-client')

const [baseUrl, email, password] = process.argv.slice(2)

async function main () {
  const app = feathers()
  app.configure(rest(baseUrl).fetch(fetch))
  app.configure(auth({ storage: new auth.MemoryStorage() }))
  const report = {}

  const login = await app.authenticate({ strategy: 'local', email, password })
  report.login = { strategy: login.authentication.strategy, user: login.user, hasToken: !!login.accessToken }
  const token = login.accessToken

  const again = await app.reAuthenticate(true)
  report.reAuthenticate = { strategy: again.authentication.strategy, sameToken: again.accessToken === token }

  const page = await app.service('users').find()
  report.find = { total: page.total, limit: page.limit, skip: page.skip, ids: page.data.map((u) => u.id) }

  const me = await app.service('users').get(login.user.id)
  report.get = me

  const out = await app.logout()
  report.logout = { userId: out && out.user && out.user.id }

  try {
    await app.service('users').find()
    report.afterLogout = { error: null }
  } catch (error) {
    report.afterLogout = { error: error.name, code: error.code, message: error.message }
  }

  // The old token itself is dead too (stock Feathers would still accept it).
  try {
    await app.service('users').find({ headers: { Authorization: `Bearer ${token}` } })
    report.oldToken = { error: null }
  } catch (error) {
    report.oldToken = { error: error.name, code: error.code, message: error.message }
  }
  return report
}

main().then(
  (report) => { process.stdout.write(JSON.stringify(report) + '\n') },
  (error) => {
    process.stdout.write(JSON.stringify({ failed: error.name, message: error.message, code: error.code }) + '\n')
    process.exitCode = 1
  }
)
