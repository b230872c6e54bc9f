from django.shortcuts import get_object_or_404, render

from members.models import CareerField


def career_fields(request):
    fields = CareerField.objects.filter(kind=CareerField.Kind.ESP)
    return render(request, "esp/career_fields.html", {"fields": fields})


def career_field(request, slug):
    field = get_object_or_404(CareerField, slug=slug, kind=CareerField.Kind.ESP)
    return render(request, "esp/career_field.html", {"field": field})
