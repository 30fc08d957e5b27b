/// Configuration only, applied when `pocketbase serve` opens a fresh --dir: the app URL (so links
/// point at this server), SMTP to otpcatch's server, and OTP sign-in on the built-in "users"
/// collection. PB_OTP_LENGTH unset keeps PocketBase's default length (8 digits).
migrate((app) => {
  const s = app.settings()
  s.meta.appURL = $os.getenv("PB_URL")
  s.meta.senderAddress = "pocketbase@example.com"
  s.smtp.enabled = true
  s.smtp.host = $os.getenv("OTPCATCH_SMTP_HOST")
  s.smtp.port = parseInt($os.getenv("OTPCATCH_SMTP_PORT"))
  s.smtp.tls = false
  app.save(s)
  const users = app.findCollectionByNameOrId("users")
  users.otp.enabled = true
  const length = $os.getenv("PB_OTP_LENGTH")
  if (length) users.otp.length = parseInt(length)
  app.save(users)
})
