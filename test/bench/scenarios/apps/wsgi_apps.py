# WSGI twins of the TSGI bench apps, for Debian's uWSGI (`--wsgi-file wsgi_apps.py --callable NAME`).

HELLO = b'Hello, World!'
BIG = b'a' * (100 * 1024)
CHUNK = b'b' * 1024
STREAM_CHUNKS = 16


def hello(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(HELLO)))])
    return [HELLO]


def echo(environ, start_response):
    length = int(environ.get('CONTENT_LENGTH') or 0)
    body = environ['wsgi.input'].read(length) if length else b''
    start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                              ('Content-Length', str(len(body)))])
    return [body]


def big(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                              ('Content-Length', str(len(BIG)))])
    return [BIG]


def stream(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    for _ in range(STREAM_CHUNKS):
        yield CHUNK
