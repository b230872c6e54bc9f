from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from members.models import CareerField


@require_GET
def career_fields(request):
    fields = CareerField.objects.filter(kind=CareerField.Kind.ESP)
    return render(request, "esp/career_fields.html", {"fields": fields})


@require_GET
def career_field(request, slug):
    field = get_object_or_404(CareerField, slug=slug, kind=CareerField.Kind.ESP)
    return render(request, "esp/career_field.html", {"field": field})
