import bcrypt from 'bcrypt'

export async function hashPassword (password: string, rounds: number): Promise<string> {
  return await bcrypt.hash(password, rounds)
}

// A real hash to compare against when the email is unknown, so a login for an unknown email takes
// as long as a wrong password and does not reveal which emails have accounts.
const decoy = bcrypt.hashSync('decoy-password-never-matches', 10)

export async function verifyPassword (password: string, hash: string | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? decoy)
  return hash !== undefined && matches
}
