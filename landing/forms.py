"""Forms of the platform's own pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField

from core.forms import Form, max_length, required


class ShopOpenForm(Form):
    """Another shop for the signed-in account."""

    shop_name = StringField(_l("Shop name"), validators=[required(), max_length(120)])
    slug = StringField(
        _l("Shop address"),
        validators=[required(), max_length(40)],
        description=_l("Lowercase letters, digits and hyphens, e.g. thoi-trang-mai"),
    )


class ShopSignupForm(ShopOpenForm):
    email = EmailField(_l("Your email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(200)])


class PlatformLoginForm(Form):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(200)])
    remember = BooleanField(_l("Remember me"))
