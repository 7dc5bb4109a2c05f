from perinatal.accounts.roles import capabilities


def staff(request):
    """``staff_can``: the capabilities of the person signed in, for showing only what they may
    use. The views decide access; this only keeps menus honest."""
    return {"staff_can": capabilities(getattr(request, "user", None))}
