// The app's frame: navigation by role and the routes of each area.
import { Link, Route, Switch } from 'wouter'
import { useSession } from './session.tsx'
import { SignIn, SignUp } from './auth/sign-in.tsx'
import { Catalogue } from './player/catalogue.tsx'
import { SeriesPage } from './player/series.tsx'
import { Watch } from './player/watch.tsx'
import { WalletPage } from './player/wallet.tsx'
import { MyList } from './player/my-list.tsx'
import { ResetPasswordLink, VerifyEmailLink } from './auth/links.tsx'
import { SeriesEditor, Studio } from './studio/studio.tsx'
import { Console } from './console/console.tsx'
import { later } from './load.tsx'

export function App () {
  const { user, signOut } = useSession()
  return (
    <>
      <header className='container'>
        <nav aria-label='Main'>
          <ul><li><Link href='/'><strong>Micro-drama</strong></Link></li></ul>
          <ul>
            {(user?.role === 'creator' || user?.role === 'admin') && <li><Link href='/studio'>Studio</Link></li>}
            {user?.role === 'admin' && <li><Link href='/console'>Console</Link></li>}
            {user !== null && <li><Link href='/list'>My list</Link></li>}
            {user !== null && <li><Link href='/wallet'>Wallet</Link></li>}
            {user === null
              ? <li><Link href='/signin'>Sign in</Link></li>
              : <li><button type='button' className='secondary outline' onClick={() => { later(signOut()) }}>Sign out everywhere</button></li>}
          </ul>
        </nav>
      </header>
      <main className='container'>
        <Switch>
          <Route path='/signin'><SignIn /></Route>
          <Route path='/signup'><SignUp /></Route>
          <Route path='/verify-email'><VerifyEmailLink /></Route>
          <Route path='/reset-password'><ResetPasswordLink /></Route>
          {/* Everything else is for signed-in users: the sign-in form, then back where they were going. */}
          {user === null && <Route><SignIn /></Route>}
          <Route path='/'><Catalogue /></Route>
          <Route path='/series/:id'>{(params) => <SeriesPage id={params.id} />}</Route>
          <Route path='/watch/:id'>{(params) => <Watch key={params.id} id={params.id} />}</Route>
          <Route path='/wallet'><WalletPage /></Route>
          <Route path='/list'><MyList /></Route>
          <Route path='/studio'><Studio /></Route>
          <Route path='/studio/series/:id'>{(params) => <SeriesEditor id={params.id} />}</Route>
          <Route path='/console/*?'><Console /></Route>
          <Route><p>Nothing here. <Link href='/'>Back to the catalogue</Link></p></Route>
        </Switch>
      </main>
    </>
  )
}
