/** The portal's entry: renders the app into #app. */
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app') as HTMLElement);
