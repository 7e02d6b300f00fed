"""Extension singletons, bound to each app by ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_socketio import SocketIO

from clipai.security import hashed_client_address

babel = Babel()
socketio = SocketIO()
limiter = Limiter(key_func=hashed_client_address)
